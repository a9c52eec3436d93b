package dev.smoothguard.schemas.serde;

/** An object could not be written with its schema (a required field is null, a wrong type). */
public final class UnserializableValueException extends SerdeException {
  public UnserializableValueException(String schemaName, String topic, Throwable cause) {
    super(
        Reason.UNSERIALIZABLE_VALUE,
        "cannot serialize " + schemaName + inTopic(topic) + ": " + cause.getMessage(),
        topic,
        null,
        null,
        cause);
  }
}
