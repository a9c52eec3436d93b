package dev.smoothguard.auditor.image;

/** An image that fails validation or decoding; the reason decides the dead-letter code. */
public final class ImageRejectedException extends RuntimeException {
  private final RejectReason reason;

  public ImageRejectedException(RejectReason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ImageRejectedException(RejectReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public RejectReason reason() {
    return reason;
  }
}
