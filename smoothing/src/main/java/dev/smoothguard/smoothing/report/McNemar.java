package dev.smoothguard.smoothing.report;

import dev.smoothguard.smoothing.engine.Smoothing;

/**
 * Exact McNemar test of two classifiers on the same images: {@code b} images only the first gets
 * right, {@code c} only the second. Under "equally good", each of the b+c discordant images is a
 * fair coin, so p = min(1, 2·P(X <= min(b,c))), X ~ Binomial(b+c, 1/2), and p = 1 when b+c = 0.
 */
public record McNemar(int b, int c) {
  public McNemar {
    if (b < 0 || c < 0) throw new IllegalArgumentException("b and c must be >= 0: " + b + ", " + c);
  }

  /**
   * The exact two-sided p-value. By the symmetry of Binomial(N, 1/2), P(X <= min) = P(X >= max):
   * the same exact binomial test PREDICT uses for its top two counts, computed by the same code.
   */
  public double pValue() {
    return Smoothing.twoSidedPValue(Math.max(b, c), (long) b + c);
  }
}
