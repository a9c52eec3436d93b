package dev.smoothguard.schemas.serde;

/**
 * The writer schema of a payload cannot be resolved to the reader schema (Avro schema resolution):
 * e.g. a record of another type on the topic, or a field retyped.
 */
public final class SchemaMismatchException extends SerdeException {
  public SchemaMismatchException(
      int schemaId, String writerName, String readerName, String detail, String topic) {
    super(
        Reason.SCHEMA_MISMATCH,
        "writer schema id "
            + schemaId
            + " ("
            + writerName
            + ")"
            + inTopic(topic)
            + " cannot be read as "
            + readerName
            + ": "
            + detail,
        topic,
        null,
        schemaId,
        null);
  }
}
