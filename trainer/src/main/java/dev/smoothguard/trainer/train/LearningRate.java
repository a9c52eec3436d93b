package dev.smoothguard.trainer.train;

import dev.smoothguard.smoothing.errors.UserError;

/**
 * The peak learning rate of a run by MAE's scaling rule, lr = blr × batch / 256 (blr: the rate per
 * 256 images), unless an absolute rate is given.
 *
 * @param peak the learning rate the schedule warms up to
 * @param base the rate per 256 images it came from; null when the run was given an absolute rate
 */
public record LearningRate(double peak, Double base) {
  public LearningRate {
    if (!(peak > 0)) throw new UserError("the learning rate must be positive, got " + peak);
  }

  /** {@code absolute} if given, else {@code base × batch / 256}. */
  public static LearningRate of(Double absolute, double base, int batch) {
    if (absolute != null) return new LearningRate(absolute, null);
    if (!(base > 0)) throw new UserError("--blr must be positive, got " + base);
    return new LearningRate(base * batch / 256.0, base);
  }

  /** How the rate came about, for the log. */
  public String describe(int batch) {
    return base == null
        ? String.format("%.3g (absolute --lr)", peak)
        : String.format("%.3g (--blr %.3g × batch %d / 256)", peak, base, batch);
  }
}
