package dev.smoothguard.auditor.redrive;

/** What redrive did with one dead letter. */
public enum Decision {
  /** its original key and value were produced to the target topic */
  SENT("sent"),
  /** its reason is not one of --reason */
  OTHER_REASON("other reason"),
  /** it failed outside --from/--to */
  OUTSIDE_TIME_RANGE("outside the time range"),
  /** it holds no original value (a tombstone): nothing to resend */
  NO_ORIGINAL_VALUE("no original value"),
  /**
   * it holds only a prefix of an original too large for the dead-letter topic (originalTruncated):
   * resending it would send a broken record
   */
  TRUNCATED_ORIGINAL("cut to fit");

  private final String label;

  Decision(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
