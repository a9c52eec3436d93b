package dev.smoothguard.schemas.serde;

/**
 * The Avro body does not decode with the writer schema its header names: corrupt bytes (bad union
 * index, negative length, invalid UTF-8...) or bytes left over after the record.
 */
public final class MalformedPayloadException extends SerdeException {
  public MalformedPayloadException(String what, String topic, int schemaId, Throwable cause) {
    super(
        Reason.MALFORMED_PAYLOAD,
        "malformed Avro payload" + inTopic(topic) + " with schema id " + schemaId + ": " + what,
        topic,
        null,
        schemaId,
        cause);
  }
}
