package dev.smoothguard.schemas.serde;

/** A payload names a schema id that the registry does not know (HTTP 404 on /schemas/ids/{id}). */
public final class UnknownSchemaIdException extends SerdeException {
  public UnknownSchemaIdException(int schemaId, String topic, String detail) {
    super(
        Reason.UNKNOWN_SCHEMA_ID,
        "unknown schema id "
            + schemaId
            + inTopic(topic)
            + (detail == null || detail.isBlank() ? "" : " (registry: " + detail + ")"),
        topic,
        null,
        schemaId,
        null);
  }
}
