package dev.smoothguard.auditor.replay;

/**
 * The broker did not accept some records (topic missing or too small a message size, no
 * permission, broker unreachable, ...): how many of how many, and the first reason.
 */
public final class DeliveryFailedException extends RuntimeException {
  private final long failed;
  private final long attempted;

  public DeliveryFailedException(String what, long failed, long attempted, Exception firstCause) {
    super(failed + " of " + attempted + " " + what + " were not delivered; first reason: "
        + (firstCause == null ? "unknown" : firstCause.getClass().getSimpleName() + ": " + firstCause.getMessage()),
        firstCause);
    this.failed = failed;
    this.attempted = attempted;
  }

  public long failed() {
    return failed;
  }

  public long attempted() {
    return attempted;
  }
}
