package dev.smoothguard.smoothing.data;

import dev.smoothguard.smoothing.errors.UserError;

/** A dataset spec or file that cannot be read; the message names the file and the problem. */
public class DatasetException extends UserError {
  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
