package dev.smoothguard.schemas.serde;

/**
 * The registry rejected a schema (HTTP 409) because it breaks the compatibility rule of the subject
 * (e.g. BACKWARD_TRANSITIVE): a field was removed, retyped, or added without default.
 */
public final class IncompatibleSchemaException extends RegistryResponseException {
  public IncompatibleSchemaException(
      String subject, String schemaName, Integer errorCode, String registryMessage, String topic) {
    super(
        Reason.INCOMPATIBLE_SCHEMA,
        "schema " + schemaName + " is incompatible with subject '" + subject + "'" + inTopic(topic),
        409,
        errorCode,
        registryMessage,
        topic,
        subject,
        null);
  }
}
