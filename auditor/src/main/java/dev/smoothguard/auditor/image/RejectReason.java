package dev.smoothguard.auditor.image;

/** Why an image cannot be certified; the names match the AuditFailure reason symbols. */
public enum RejectReason {
  BAD_IMAGE,
  UNSUPPORTED_ENCODING,
  WRONG_SHAPE,
  TOO_LARGE
}
