package dev.smoothguard.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.smoothguard.devstack.EmbeddedRegistry;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.schemas.testing.Samples;
import dev.smoothguard.schemas.testing.SharedRegistry;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertificationMode;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.ImageEncoding;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.schemas.v1.RobustnessSummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every contract through the serde and a real registry, and the exact bytes on the wire. */
@ExtendWith(SharedRegistry.class)
class RoundTripTest {
  private static RegistryClient client;

  @BeforeAll
  static void connect(EmbeddedRegistry registry) {
    client = new RegistryClient(RegistryConfig.of(registry.url()));
  }

  private static <T extends SpecificRecord> T roundTrip(String topic, T record, Class<T> type) {
    AvroSerde<T> serde = AvroSerde.specific(client, type, false);
    byte[] bytes = serde.serializer().serialize(topic, record);
    return serde.deserializer().deserialize(topic, bytes);
  }

  @Test
  void everyContractRoundTripsWithAllFieldsSet() {
    assertEquals(Samples.image(), roundTrip("rt-images", Samples.image(), ImageEvent.class));
    assertEquals(
        Samples.prediction(),
        roundTrip("rt-predictions", Samples.prediction(), CertifiedPrediction.class));
    assertEquals(Samples.failure(), roundTrip("rt-dlq", Samples.failure(), AuditFailure.class));
    assertEquals(
        Samples.summary(), roundTrip("rt-summary", Samples.summary(), RobustnessSummary.class));
  }

  @Test
  void optionalFieldsAndDefaultsRoundTripAsNull() {
    CertifiedPrediction abstain =
        CertifiedPrediction.newBuilder(Samples.prediction())
            .setMode(CertificationMode.PREDICT)
            .setTargetRadius(null)
            .setCertifiedAtTarget(null)
            .setPredictedClass(-1)
            .setClassName(null)
            .setAbstained(true)
            .setRadius(0.0)
            .setPALower(null)
            .setLabel(null)
            .setCorrect(null)
            .build();
    CertifiedPrediction back = roundTrip("rt-predictions-min", abstain, CertifiedPrediction.class);
    assertEquals(abstain, back);
    assertEquals(-1, back.getPredictedClass());
    assertNull(back.getPALower());

    ImageEvent minimal =
        ImageEvent.newBuilder()
            .setId("x")
            .setEventTime(Samples.T0)
            .setEncoding(ImageEncoding.PNG)
            .setWidth(1)
            .setHeight(1)
            .setChannels(3)
            .build(); // source, data, uri, label, attributes from their defaults
    ImageEvent minimalBack = roundTrip("rt-images-min", minimal, ImageEvent.class);
    assertEquals(minimal, minimalBack);
    assertEquals("", minimalBack.getSource());
    assertEquals(Map.of(), minimalBack.getAttributes());
    assertEquals(0, minimalBack.getData().remaining());
  }

  @Test
  void nullIsATombstoneBothWays() {
    AvroSerde<ImageEvent> serde = AvroSerde.specific(client, ImageEvent.class, false);
    assertNull(serde.serializer().serialize("rt-images", null));
    assertNull(serde.deserializer().deserialize("rt-images", null));
  }

  @Test
  void bytesAreMagicByteSchemaIdBigEndianThenAvroBinary() throws IOException {
    for (SpecificRecordBase record :
        new SpecificRecordBase[] {
          Samples.image(), Samples.prediction(), Samples.failure(), Samples.summary()
        }) {
      String topic = "layout-" + record.getSchema().getName();
      byte[] bytes = new AvroSerializer<SpecificRecordBase>(client, false).serialize(topic, record);
      int id = client.lookup(topic + "-value", record.getSchema(), topic);

      assertEquals(0, bytes[0], "magic byte");
      assertArrayEquals(
          new byte[] {(byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id},
          Arrays.copyOfRange(bytes, 1, 5),
          "big-endian schema id");
      assertArrayEquals(
          avroBinary(record), Arrays.copyOfRange(bytes, 5, bytes.length), "Avro binary body");
      assertEquals(
          record.getSchema(), client.schemaById(id, topic), "registry holds the writer schema");
    }
  }

  @Test
  void keysUseTheKeySubject() {
    AvroSerializer<ImageEvent> keys = new AvroSerializer<>(client, true);
    byte[] bytes = keys.serialize("rt-keyed", Samples.image());
    int id = client.lookup("rt-keyed-key", ImageEvent.getClassSchema(), "rt-keyed");
    assertEquals(id, ByteBuffer.wrap(bytes, 1, 4).getInt());
  }

  /**
   * An ImageEvent written byte by byte from the Avro spec, framed by hand: the serde must read it,
   * and write the same event to exactly these bytes.
   */
  @Test
  void handWrittenConfluentBytesDecode() {
    Schema schema = ImageEvent.getClassSchema();
    int id = client.register("hand-images-value", schema, "hand-images");
    byte[] body = {
      0x02,
      'a', // id: string length 1 (zig-zag 2), "a"
      (byte) 0xd0,
      0x0f, // eventTime: 1000 ms, zig-zag 2000 as a varint
      0x00, // source: ""
      0x06, // encoding: enum index 3 = RAW_U8
      0x04,
      0x02,
      0x02, // width 2, height 1, channels 1
      0x04,
      0x07,
      (byte) 0xff, // data: 2 bytes {7, 255}
      0x00, // uri: union branch 0 = null
      0x02,
      0x0a, // label: union branch 1 = int, 5
      0x02,
      0x02,
      'k',
      0x02,
      'v',
      0x00 // attributes: one block of 1 entry "k"->"v", end
    };
    byte[] framed = new byte[5 + body.length];
    framed[0] = 0;
    framed[1] = (byte) (id >>> 24);
    framed[2] = (byte) (id >>> 16);
    framed[3] = (byte) (id >>> 8);
    framed[4] = (byte) id;
    System.arraycopy(body, 0, framed, 5, body.length);

    ImageEvent event =
        AvroDeserializer.specific(client, ImageEvent.class).deserialize("hand-images", framed);
    assertEquals("a", event.getId());
    assertEquals(1000L, event.getEventTime().toEpochMilli());
    assertEquals("", event.getSource());
    assertEquals(ImageEncoding.RAW_U8, event.getEncoding());
    assertEquals(2, event.getWidth());
    assertEquals(1, event.getHeight());
    assertEquals(1, event.getChannels());
    assertArrayEquals(new byte[] {7, (byte) 255}, bytes(event.getData()));
    assertNull(event.getUri());
    assertEquals(5, event.getLabel());
    assertEquals(Map.of("k", "v"), event.getAttributes());

    assertArrayEquals(
        framed, new AvroSerializer<ImageEvent>(client, false).serialize("hand-images", event));
  }

  private static byte[] avroBinary(SpecificRecordBase record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<SpecificRecordBase>(record.getSchema(), record.getSpecificData())
        .write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] b = new byte[buffer.remaining()];
    buffer.duplicate().get(b);
    return b;
  }
}
