package dev.smoothguard.smoothing.engine;

import java.util.stream.LongStream;
import org.apache.commons.statistics.distribution.BetaDistribution;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * The randomized-smoothing algorithms (Cohen, Rosenfeld & Kolter 2019, and an adaptive
 * target-radius test). They only see a {@link Sampler}: "draw num noisy copies of the image and
 * give me the class counts". Selection and estimation always use separate draws.
 */
public final class Smoothing {
  private Smoothing() {}

  /** Draws {@code num} fresh noisy samples and returns how many voted for each class. */
  @FunctionalInterface
  public interface Sampler {
    long[] counts(int num);
  }

  /** What an algorithm decided, before the engine adds device and timing. */
  public record Decision(
      int predictedClass,
      double radius,
      double pALower,
      long countTop,
      long samplesUsed,
      boolean certifiedAtTarget) {}

  /** First look of TARGET; later looks double until n. Small, so clear-cut inputs stop early. */
  public static final int FIRST_LOOK = 64;

  private static final NormalDistribution PHI = NormalDistribution.of(0, 1);

  /** CERTIFY: class from n0 samples, radius sigma·Φ⁻¹(pA) from n fresh ones, or abstain. */
  public static Decision certify(Sampler f, SmoothingSettings s) {
    int top = argmax(f.counts(s.n0()));
    long nA = f.counts(s.n())[top];
    double pA = lowerConfidenceBound(nA, s.n(), s.alpha());
    long used = (long) s.n0() + s.n();
    if (pA < 0.5) return new Decision(Certificate.ABSTAIN, 0, pA, nA, used, false);
    return new Decision(top, s.sigma() * PHI.inverseCumulativeProbability(pA), pA, nA, used, false);
  }

  /** PREDICT: top class unless the two-sided binomial test of nA vs nA+nB at 1/2 has p > alpha. */
  public static Decision predict(Sampler f, SmoothingSettings s) {
    long[] counts = f.counts(s.n());
    int a = argmax(counts);
    long nA = counts[a];
    long nB = 0;
    for (int k = 0; k < counts.length; k++) if (k != a) nB = Math.max(nB, counts[k]);
    int cls = twoSidedPValue(nA, nA + nB) > s.alpha() ? Certificate.ABSTAIN : a;
    return new Decision(cls, 0, Double.NaN, nA, s.n(), false);
  }

  /**
   * TARGET: is the smoothed class certified at radius r? After selection, look at 64, 128, 256 ...
   * n estimation samples (cumulative); each look tests at level alpha/looks (Bonferroni), stopping
   * "certified" when the lower bound reaches Φ(r/sigma) and "not certified" when the upper bound
   * falls below it. The radius is the best one proven at any look.
   */
  public static Decision target(Sampler f, SmoothingSettings s) {
    long[] looks = looks(s.n());
    return target(f, s, looks, s.alpha() / looks.length);
  }

  /** TARGET with a given schedule and per-look level (the tests also run wrong ones). */
  static Decision target(Sampler f, SmoothingSettings s, long[] looks, double alphaLook) {
    double needed = PHI.cumulativeProbability(s.targetRadius().getAsDouble() / s.sigma());
    int top = argmax(f.counts(s.n0()));
    long nA = 0, m = 0;
    double best = 0;
    for (long look : looks) {
      nA += f.counts((int) (look - m))[top];
      m = look;
      best = Math.max(best, lowerConfidenceBound(nA, m, alphaLook));
      if (best >= needed || upperConfidenceBound(nA, m, alphaLook) < needed) break;
    }
    long used = s.n0() + m;
    if (best < 0.5) return new Decision(Certificate.ABSTAIN, 0, best, nA, used, false);
    double radius = s.sigma() * PHI.inverseCumulativeProbability(best);
    return new Decision(top, radius, best, nA, used, best >= needed);
  }

  /** Sample counts at which TARGET looks: 64, 128, 256, ... capped by and ending at n. */
  public static long[] looks(int n) {
    return LongStream.concat(
            LongStream.iterate(FIRST_LOOK, m -> m < n, m -> 2 * m), LongStream.of(n))
        .toArray();
  }

  /**
   * PREDICT's exact two-sided p-value of nA of N votes at 1/2: min(1, 2·P(X >= nA)), X ~ Bin(N,
   * 1/2).
   */
  public static double twoSidedPValue(long nA, long total) {
    double upperTail = BinomialDistribution.of((int) total, 0.5).survivalProbability((int) nA - 1);
    return Math.min(1, 2 * upperTail);
  }

  /** One-sided (1-alpha) Clopper-Pearson lower bound: the alpha quantile of Beta(k, n-k+1). */
  public static double lowerConfidenceBound(long k, long n, double alpha) {
    return k == 0 ? 0 : BetaDistribution.of(k, n - k + 1).inverseCumulativeProbability(alpha);
  }

  /** One-sided (1-alpha) Clopper-Pearson upper bound: the 1-alpha quantile of Beta(k+1, n-k). */
  public static double upperConfidenceBound(long k, long n, double alpha) {
    return k == n ? 1 : BetaDistribution.of(k + 1, n - k).inverseCumulativeProbability(1 - alpha);
  }

  static int argmax(long[] counts) {
    int best = 0;
    for (int k = 1; k < counts.length; k++) if (counts[k] > counts[best]) best = k;
    return best;
  }
}
