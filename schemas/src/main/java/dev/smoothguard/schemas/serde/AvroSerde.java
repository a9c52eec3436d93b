package dev.smoothguard.schemas.serde;

import dev.smoothguard.schemas.registry.RegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serde} for Avro records in the Confluent wire format, e.g. {@code
 * AvroSerde.specific(client, ImageEvent.class, false)} for the value of the images topic.
 *
 * @param <T> the record type
 */
public final class AvroSerde<T extends GenericContainer> implements Serde<T> {
  private final AvroSerializer<T> serializer;
  private final AvroDeserializer<T> deserializer;

  public AvroSerde(AvroSerializer<T> serializer, AvroDeserializer<T> deserializer) {
    this.serializer = serializer;
    this.deserializer = deserializer;
  }

  /** Generated records of {@code type}; {@code isKey} picks the subject {@code <topic>-key}. */
  public static <T extends SpecificRecord> AvroSerde<T> specific(
      RegistryClient registry, Class<T> type, boolean isKey) {
    return new AvroSerde<>(
        new AvroSerializer<>(registry, isKey), AvroDeserializer.specific(registry, type));
  }

  /** GenericRecords read with {@code readerSchema} (null: as written). */
  public static AvroSerde<GenericRecord> generic(
      RegistryClient registry, Schema readerSchema, boolean isKey) {
    return new AvroSerde<>(
        new AvroSerializer<>(registry, isKey), AvroDeserializer.generic(registry, readerSchema));
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }
}
