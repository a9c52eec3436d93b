package dev.smoothguard.schemas.serde;

/**
 * The registry refused the client itself (HTTP 401 or 403): wrong or missing credentials, or an
 * account without the right. A fault of the deployment, never of a record ({@link
 * #isSystemFault()}): every record would fail the same way until the credentials are fixed.
 */
public final class RegistryAccessDeniedException extends RegistryResponseException {
  public RegistryAccessDeniedException(
      String url,
      String what,
      int status,
      Integer errorCode,
      String registryMessage,
      String topic,
      String subject,
      Integer schemaId) {
    super(
        Reason.REGISTRY_ERROR,
        "schema registry "
            + url
            + " refused access while "
            + what
            + inTopic(topic)
            + " (check registry.auth.user / registry.auth.password)",
        status,
        errorCode,
        registryMessage,
        topic,
        subject,
        schemaId);
  }
}
