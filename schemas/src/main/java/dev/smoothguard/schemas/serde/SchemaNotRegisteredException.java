package dev.smoothguard.schemas.serde;

/**
 * Auto-registration is off and the writer's schema is not registered under the subject: register it
 * first (or turn {@code registry.auto.register} on).
 */
public final class SchemaNotRegisteredException extends SerdeException {
  public SchemaNotRegisteredException(
      String subject, String schemaName, String topic, String detail) {
    super(
        Reason.SCHEMA_NOT_REGISTERED,
        "schema "
            + schemaName
            + " is not registered under subject '"
            + subject
            + "'"
            + inTopic(topic)
            + " and auto-registration is off"
            + (detail == null || detail.isBlank() ? "" : " (registry: " + detail + ")"),
        topic,
        subject,
        null,
        null);
  }
}
