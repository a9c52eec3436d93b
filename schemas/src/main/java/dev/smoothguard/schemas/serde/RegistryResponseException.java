package dev.smoothguard.schemas.serde;

import java.util.OptionalInt;

/**
 * The registry answered with an error that has no more specific exception (401, 403, 422 for an
 * invalid schema, an unexpected 404...). Carries the HTTP status and the registry's own {@code
 * error_code}.
 */
public class RegistryResponseException extends SerdeException {
  private final int status;
  private final Integer errorCode;

  public RegistryResponseException(
      String what,
      int status,
      Integer errorCode,
      String registryMessage,
      String topic,
      String subject,
      Integer schemaId) {
    this(
        Reason.REGISTRY_ERROR,
        "schema registry refused " + what + inTopic(topic),
        status,
        errorCode,
        registryMessage,
        topic,
        subject,
        schemaId);
  }

  protected RegistryResponseException(
      Reason reason,
      String message,
      int status,
      Integer errorCode,
      String registryMessage,
      String topic,
      String subject,
      Integer schemaId) {
    super(
        reason,
        message
            + ": HTTP "
            + status
            + (errorCode == null ? "" : " error_code " + errorCode)
            + (registryMessage == null || registryMessage.isBlank() ? "" : ": " + registryMessage),
        topic,
        subject,
        schemaId,
        null);
    this.status = status;
    this.errorCode = errorCode;
  }

  /** The HTTP status code. */
  public int status() {
    return status;
  }

  /** The registry's {@code error_code} from the JSON body, when it sent one. */
  public OptionalInt errorCode() {
    return errorCode == null ? OptionalInt.empty() : OptionalInt.of(errorCode);
  }
}
