package dev.smoothguard.smoothing.engine;

import dev.smoothguard.smoothing.errors.UserError;

/** A model that cannot be used: missing/unreadable file, not ONNX, wrong shapes or types. */
public class ModelException extends UserError {
  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
