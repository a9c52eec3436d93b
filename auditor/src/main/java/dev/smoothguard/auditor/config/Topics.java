package dev.smoothguard.auditor.config;

/** The four topic names the auditor reads and writes. */
public record Topics(String images, String predictions, String dlq, String summary) {
  public static Topics defaults() {
    return new Topics("images", "certified-predictions", "audit-dlq", "robustness-summary");
  }
}
