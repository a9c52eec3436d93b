package dev.smoothguard.smoothing.engine;

import java.util.SplittableRandom;

/**
 * A stub {@link Smoothing.Sampler} whose smoothed classifier is known exactly: every noisy sample
 * votes for class k with probability {@code p[k]}, independently, from a seeded generator. The
 * algorithms only ever see counts, so this tests their statistics without a model (and fast enough
 * for tens of thousands of certificates).
 */
final class BernoulliSampler implements Smoothing.Sampler {
  private final double[] cumulative;
  private final SplittableRandom random;
  private long drawn;

  BernoulliSampler(long seed, double... p) {
    this.random = new SplittableRandom(seed);
    this.cumulative = new double[p.length];
    double sum = 0;
    for (int k = 0; k < p.length; k++) cumulative[k] = sum += p[k];
  }

  @Override
  public long[] counts(int num) {
    long[] counts = new long[cumulative.length];
    for (int i = 0; i < num; i++) {
      double u = random.nextDouble();
      int k = 0;
      while (k < cumulative.length - 1 && u >= cumulative[k]) k++;
      counts[k]++;
    }
    drawn += num;
    return counts;
  }

  /** Samples handed out so far. */
  long drawn() {
    return drawn;
  }
}
