package dev.smoothguard.auditor.stream;

/**
 * Counts how many images in a row the engine failed on with the same error, across the stream
 * threads that share the engine (one streak per engine: a broken session is shared too).
 */
final class EngineErrorStreak {
  private String lastError;
  private int count;

  /** One more failure; returns the length of the streak of this same error. */
  synchronized int failure(String error) {
    if (error.equals(lastError)) {
      count++;
    } else {
      lastError = error;
      count = 1;
    }
    return count;
  }

  synchronized void success() {
    lastError = null;
    count = 0;
  }
}
