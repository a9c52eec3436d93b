package dev.smoothguard.schemas.serde;

/**
 * A payload ends too early: shorter than the 5-byte header, or its Avro body stops before the
 * writer schema says it is complete.
 */
public final class TruncatedPayloadException extends SerdeException {
  public TruncatedPayloadException(
      String what, int length, String topic, Integer schemaId, Throwable cause) {
    super(
        Reason.TRUNCATED_PAYLOAD,
        "truncated payload"
            + inTopic(topic)
            + ": "
            + what
            + " ("
            + length
            + " bytes"
            + (schemaId == null ? "" : ", schema id " + schemaId)
            + ")",
        topic,
        null,
        schemaId,
        cause);
  }
}
