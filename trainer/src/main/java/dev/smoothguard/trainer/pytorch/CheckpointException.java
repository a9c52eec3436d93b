package dev.smoothguard.trainer.pytorch;

import dev.smoothguard.smoothing.errors.UserError;

/**
 * A checkpoint the importer cannot or will not read (corrupt, unsupported, refused as unsafe, not a
 * ViT it knows): the user's to fix, so one line that names the file and the thing.
 */
public final class CheckpointException extends UserError {
  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
