package dev.smoothguard.schemas.serde;

import dev.smoothguard.schemas.registry.RegistryClient;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format payloads: checks the header, fetches the writer schema by id from the
 * registry (cached), resolves it to the reader schema (so records written with an older or newer
 * compatible schema read fine), validates the body's lengths against the bytes present, and
 * decodes. {@code null} reads as {@code null}. Thread-safe.
 *
 * <p>Every failure is a {@link SerdeException} subclass naming the topic and schema id.
 *
 * @param <T> the record type read
 */
public final class AvroDeserializer<T> implements Deserializer<T> {
  private final RegistryClient registry;
  private final Schema readerSchema;
  private final GenericData model;
  private final boolean specific;
  private final Map<Integer, Resolution<T>> byWriterId = new ConcurrentHashMap<>();

  static {
    TrustedContracts.install();
  }

  /** The reader for one writer schema id, or why there is none. */
  private record Resolution<T>(Schema writer, DatumReader<T> reader, String mismatch) {}

  private AvroDeserializer(
      RegistryClient registry, Schema readerSchema, GenericData model, boolean specific) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.readerSchema = readerSchema;
    this.model = model;
    this.specific = specific;
  }

  /** Reads generated classes, e.g. {@code AvroDeserializer.specific(client, ImageEvent.class)}. */
  public static <T extends SpecificRecord> AvroDeserializer<T> specific(
      RegistryClient registry, Class<T> type) {
    SpecificData model = SpecificData.getForClass(type);
    return new AvroDeserializer<>(registry, model.getSchema(type), model, true);
  }

  /**
   * Reads {@link GenericRecord}s resolved to {@code readerSchema}, or as written when it is null
   * (then any schema is accepted).
   */
  public static AvroDeserializer<GenericRecord> generic(
      RegistryClient registry, Schema readerSchema) {
    return new AvroDeserializer<>(registry, readerSchema, GenericData.get(), false);
  }

  /** The reader schema, or null when records are read as written. */
  public Schema readerSchema() {
    return readerSchema;
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    int id = WireFormat.schemaId(data, topic);
    Resolution<T> resolution = byWriterId.get(id);
    if (resolution == null) {
      resolution = resolve(registry.schemaById(id, topic));
      byWriterId.putIfAbsent(id, resolution);
    }
    if (resolution.mismatch() != null) {
      throw new SchemaMismatchException(
          id,
          resolution.writer().getFullName(),
          readerSchema.getFullName(),
          resolution.mismatch(),
          topic);
    }
    PayloadValidator.validate(resolution.writer(), data, WireFormat.HEADER_LENGTH, topic, id);
    BinaryDecoder decoder =
        DecoderFactory.get()
            .binaryDecoder(
                data, WireFormat.HEADER_LENGTH, data.length - WireFormat.HEADER_LENGTH, null);
    try {
      return resolution.reader().read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new MalformedPayloadException(String.valueOf(e.getMessage()), topic, id, e);
    }
  }

  private Resolution<T> resolve(Schema writer) {
    if (readerSchema == null) {
      return new Resolution<>(writer, new GenericDatumReader<>(writer, writer, model), null);
    }
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      String why =
          compatibility.getResult().getIncompatibilities().stream()
              .map(
                  i ->
                      i.getType()
                          + " at "
                          + i.getLocation()
                          + (i.getMessage() == null ? "" : " (" + i.getMessage() + ")"))
              .collect(Collectors.joining("; "));
      return new Resolution<>(writer, null, why.isEmpty() ? compatibility.getDescription() : why);
    }
    DatumReader<T> reader =
        specific
            ? new SpecificDatumReader<>(writer, readerSchema, (SpecificData) model)
            : new GenericDatumReader<>(writer, readerSchema, model);
    return new Resolution<>(writer, reader, null);
  }
}
