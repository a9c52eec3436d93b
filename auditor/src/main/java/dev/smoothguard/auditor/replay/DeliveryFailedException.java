package dev.smoothguard.auditor.replay;

import dev.smoothguard.smoothing.errors.UserError;

/**
 * The broker did not accept some records (topic missing or too small a message size, no permission,
 * broker unreachable, ...): how many of how many, and the first reason. The user's to fix (exit 2).
 */
public final class DeliveryFailedException extends UserError {
  private final long failed;
  private final long attempted;

  public DeliveryFailedException(String what, long failed, long attempted, Exception firstCause) {
    super(
        failed
            + " of "
            + attempted
            + " "
            + what
            + " were not delivered; first reason: "
            + (firstCause == null
                ? "unknown"
                : firstCause.getClass().getSimpleName() + ": " + firstCause.getMessage()),
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
