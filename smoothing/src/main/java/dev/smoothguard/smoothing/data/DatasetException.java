package dev.smoothguard.smoothing.data;

/** A dataset spec or file that cannot be read; the message names the file and the problem. */
public class DatasetException extends RuntimeException {
  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
