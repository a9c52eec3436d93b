package dev.smoothguard.trainer.cli;

import dev.smoothguard.smoothing.errors.UserError;

/** Flag validation with messages that name the flag. */
final class Checks {
  private Checks() {}

  static void positive(String flag, double v) {
    if (!(v > 0)) throw new UserError(flag + " must be positive, got " + v);
  }

  static void range(String flag, double v, double lo, double hi) {
    if (!(v >= lo && v <= hi))
      throw new UserError(flag + " must be in [" + lo + ", " + hi + "], got " + v);
  }
}
