package dev.smoothguard.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.devstack.EmbeddedRegistry;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.schemas.testing.Samples;
import dev.smoothguard.schemas.testing.SharedRegistry;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.FailureReason;
import dev.smoothguard.schemas.v1.ImageEvent;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every way a payload or the registry can fail, each as its own catchable exception. */
@ExtendWith(SharedRegistry.class)
class SerdeErrorTest {
  private static final String TOPIC = "err-images";
  private static RegistryClient client;
  private static AvroDeserializer<ImageEvent> images;
  private static byte[] good;

  @BeforeAll
  static void connect(EmbeddedRegistry registry) {
    client = new RegistryClient(RegistryConfig.of(registry.url()));
    images = AvroDeserializer.specific(client, ImageEvent.class);
    good = new AvroSerializer<ImageEvent>(client, false).serialize(TOPIC, Samples.image());
  }

  private static <E extends SerdeException> E failsWith(Class<E> type, byte[] payload) {
    E e = assertThrows(type, () -> images.deserialize(TOPIC, payload));
    assertInstanceOf(SerializationException.class, e, "Kafka handlers must see it");
    assertEquals(TOPIC, e.topic().orElseThrow());
    assertTrue(e.getMessage().contains("'" + TOPIC + "'"), e.getMessage());
    return e;
  }

  @Test
  void unknownMagicByte() {
    byte[] payload = good.clone();
    payload[0] = 1;
    UnknownMagicByteException e = failsWith(UnknownMagicByteException.class, payload);
    assertEquals(1, e.magicByte());
    assertTrue(e.getMessage().contains("0x01"), e.getMessage());
    assertEquals(FailureReason.UNDECODABLE_RECORD, e.failureReason());
    // plain text is the usual case: "{" is 0x7b
    assertEquals(
        0x7b, failsWith(UnknownMagicByteException.class, "{\"id\":1}".getBytes()).magicByte());
  }

  @Test
  void truncatedHeaderAndEmptyPayload() {
    failsWith(TruncatedPayloadException.class, new byte[0]);
    TruncatedPayloadException e = failsWith(TruncatedPayloadException.class, new byte[] {0, 0, 0});
    assertEquals(SerdeException.Reason.TRUNCATED_PAYLOAD, e.reason());
    assertTrue(e.getMessage().contains("3 bytes"), e.getMessage());
  }

  @Test
  void truncatedBodyAtEveryLength() {
    // cutting a valid payload anywhere inside its body must be reported as truncation
    for (int length = 5; length < good.length; length++) {
      TruncatedPayloadException e =
          failsWith(TruncatedPayloadException.class, Arrays.copyOf(good, length));
      assertEquals(WireFormat.schemaId(good, TOPIC), e.schemaId().orElseThrow());
      assertEquals(FailureReason.UNDECODABLE_RECORD, e.failureReason());
    }
  }

  @Test
  void hugeDeclaredLengthIsTruncationNotAnAllocation() {
    int id = WireFormat.schemaId(good, TOPIC);
    // id "a", then an eventTime, source "", encoding, sizes, and data claiming 1 GiB
    byte[] body = {
      0x02,
      'a',
      0x00,
      0x00,
      0x02,
      0x02,
      0x02,
      0x02,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      0x08,
      1,
      2,
      3
    };
    TruncatedPayloadException e =
        failsWith(TruncatedPayloadException.class, WireFormat.frame(id, body));
    assertTrue(e.getMessage().contains("1073741824"), e.getMessage());
  }

  @Test
  void corruptBodyAndTrailingBytesAreMalformed() {
    int id = WireFormat.schemaId(good, TOPIC);
    // union index 5 for uri (only 0 and 1 exist)
    byte[] badUnion = {0x02, 'a', 0x00, 0x00, 0x02, 0x02, 0x02, 0x02, 0x00, 0x0a, 0x00, 0x00};
    MalformedPayloadException e =
        failsWith(MalformedPayloadException.class, WireFormat.frame(id, badUnion));
    assertTrue(e.getMessage().contains("union index 5"), e.getMessage());
    assertTrue(e.getMessage().contains("ImageEvent.uri"), e.getMessage());
    // negative string length for id
    failsWith(MalformedPayloadException.class, WireFormat.frame(id, new byte[] {0x01, 'a'}));
    // a valid event followed by garbage
    byte[] trailing = Arrays.copyOf(good, good.length + 3);
    MalformedPayloadException t = failsWith(MalformedPayloadException.class, trailing);
    assertTrue(t.getMessage().contains("3 bytes left over"), t.getMessage());
    assertEquals(FailureReason.UNDECODABLE_RECORD, t.failureReason());
  }

  @Test
  void unknownSchemaId() {
    byte[] payload = good.clone();
    ByteBuffer.wrap(payload).putInt(1, 987_654_321);
    UnknownSchemaIdException e = failsWith(UnknownSchemaIdException.class, payload);
    assertEquals(987_654_321, e.schemaId().orElseThrow());
    assertTrue(e.getMessage().contains("987654321"), e.getMessage());
    assertEquals(FailureReason.UNKNOWN_SCHEMA, e.failureReason());
  }

  @Test
  void recordOfAnotherTypeIsASchemaMismatch() {
    byte[] prediction =
        new AvroSerializer<CertifiedPrediction>(client, false)
            .serialize("err-predictions", Samples.prediction());
    SchemaMismatchException e = failsWith(SchemaMismatchException.class, prediction);
    assertTrue(e.getMessage().contains("CertifiedPrediction"), e.getMessage());
    assertTrue(e.getMessage().contains("ImageEvent"), e.getMessage());
    assertEquals(FailureReason.UNDECODABLE_RECORD, e.failureReason());
  }

  @Test
  void lookupWithoutAutoRegisterFailsForAnUnregisteredSchema(EmbeddedRegistry registry) {
    RegistryClient noAuto =
        new RegistryClient(RegistryConfig.of(registry.url()).withAutoRegister(false));
    SchemaNotRegisteredException e =
        assertThrows(
            SchemaNotRegisteredException.class,
            () ->
                new AvroSerializer<ImageEvent>(noAuto, false)
                    .serialize("err-unregistered", Samples.image()));
    assertEquals("err-unregistered-value", e.subject().orElseThrow());
    assertTrue(e.getMessage().contains("'err-unregistered-value'"), e.getMessage());
    // once registered, lookup-only serialization works and finds the same id
    byte[] bytes = new AvroSerializer<ImageEvent>(noAuto, false).serialize(TOPIC, Samples.image());
    assertEquals(WireFormat.schemaId(good, TOPIC), WireFormat.schemaId(bytes, TOPIC));
  }

  @Test
  void valueThatDoesNotFitItsSchema() {
    ImageEvent broken = Samples.image();
    broken.setId(null); // a required string
    UnserializableValueException e =
        assertThrows(
            UnserializableValueException.class,
            () -> new AvroSerializer<ImageEvent>(client, false).serialize(TOPIC, broken));
    assertEquals(SerdeException.Reason.UNSERIALIZABLE_VALUE, e.reason());
    assertTrue(e.getMessage().contains("ImageEvent"), e.getMessage());
  }

  @Test
  void wrongRegistryPathIsARegistryError(EmbeddedRegistry registry) {
    // the Apicurio base URL without /apis/ccompat/v7: a common misconfiguration
    RegistryClient wrong = new RegistryClient(RegistryConfig.of(registry.baseUrl()));
    RegistryResponseException e =
        assertThrows(
            RegistryResponseException.class,
            () ->
                new AvroSerializer<ImageEvent>(wrong, false)
                    .serialize("err-wrong-path", Samples.image()));
    assertEquals(404, e.status());
    assertEquals(SerdeException.Reason.REGISTRY_ERROR, e.reason());
    assertTrue(e.getMessage().contains("err-wrong-path-value"), e.getMessage());
    assertFalse(e.isTransient());
  }
}
