package dev.smoothguard.trainer.cli;

import dev.smoothguard.smoothing.data.DatasetException;
import dev.smoothguard.smoothing.engine.ModelException;

/** Which exceptions are the user's to fix (bad flags, data, paths) rather than bugs. */
final class UserErrors {
  private UserErrors() {}

  static boolean isUserError(Throwable ex) {
    return ex instanceof IllegalArgumentException || ex instanceof DatasetException
        || ex instanceof ModelException || ex instanceof java.io.UncheckedIOException
        || ex instanceof java.nio.file.NoSuchFileException;
  }
}
