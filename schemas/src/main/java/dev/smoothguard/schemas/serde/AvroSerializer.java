package dev.smoothguard.schemas.serde;

import dev.smoothguard.schemas.registry.RegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (generated SpecificRecords or GenericRecords) in the Confluent wire format.
 * The schema is the record's own; its id comes from the registry under the subject {@code
 * <topic>-value} (or {@code -key}), registered or looked up as the client's config says. {@code
 * null} is written as {@code null} (a tombstone). Thread-safe.
 *
 * @param <T> the record type
 */
public final class AvroSerializer<T extends GenericContainer> implements Serializer<T> {
  private final RegistryClient registry;
  private final boolean isKey;
  private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

  /**
   * @param registry the registry client (share one per process)
   * @param isKey true to serialize keys (subject {@code <topic>-key})
   */
  public AvroSerializer(RegistryClient registry, boolean isKey) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.isKey = isKey;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    Schema schema = data.getSchema();
    int id = registry.idFor(WireFormat.subject(topic, isKey), schema, topic);
    DatumWriter<Object> writer = writers.computeIfAbsent(schema, s -> newWriter(s, data));
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.writeBytes(WireFormat.header(id));
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      writer.write(data, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new UnserializableValueException(schema.getFullName(), topic, e);
    }
    return out.toByteArray();
  }

  /** Generated classes carry their own data model (logical-type conversions such as Instant). */
  private static DatumWriter<Object> newWriter(Schema schema, GenericContainer sample) {
    GenericData model =
        sample instanceof SpecificRecordBase specific
            ? specific.getSpecificData()
            : GenericData.get();
    return new GenericDatumWriter<>(schema, model);
  }
}
