package dev.smoothguard.smoothing.errors;

/**
 * Something the user can fix: a flag value, a missing or malformed file, a model or dataset that
 * does not fit, a broker or registry that cannot be reached at the address given. Every module
 * throws it (or a subtype) at the place where the cause is known, with one line that names the
 * thing ({@code --sigma must be > 0, got -1}, {@code model m.onnx: no such file}).
 *
 * <p>Every smoothguard command line prints such an error as that one line and exits 2; anything
 * else that escapes a command is a bug and exits 1 with its stack trace (see {@code
 * dev.smoothguard.smoothing.cli.common.CliPolicy}). So never throw it for a broken invariant, and
 * never catch a general exception just to rethrow it as a user error.
 */
public class UserError extends RuntimeException {
  public UserError(String message) {
    super(message);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
