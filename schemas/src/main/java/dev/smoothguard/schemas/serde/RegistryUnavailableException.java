package dev.smoothguard.schemas.serde;

/**
 * The schema registry could not be reached or kept failing (connection refused, timeout, HTTP 5xx
 * or 429) after all retries. Transient: the same record may succeed later.
 */
public final class RegistryUnavailableException extends SerdeException {
  private final String url;
  private final int attempts;

  public RegistryUnavailableException(
      String url,
      String what,
      int attempts,
      String topic,
      String subject,
      Integer schemaId,
      Throwable cause) {
    super(
        Reason.REGISTRY_UNAVAILABLE,
        "schema registry "
            + url
            + " unavailable while "
            + what
            + inTopic(topic)
            + " after "
            + attempts
            + (attempts == 1 ? " attempt" : " attempts")
            + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()),
        topic,
        subject,
        schemaId,
        cause);
    this.url = url;
    this.attempts = attempts;
  }

  /** The registry URL that was tried. */
  public String url() {
    return url;
  }

  public int attempts() {
    return attempts;
  }
}
