package dev.smoothguard.smoothing.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.smoothing.data.Image;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The algorithms against a classifier whose smoothed version is known exactly (a linear two-class
 * model: pA = Φ(d/sigma), true radius |d|). Seeds are fixed, so each run is deterministic; the
 * bounds come from the maths, each holds with probability >= 1 - alpha.
 */
class SmoothingStatisticsTest {
  static final NormalDistribution PHI = NormalDistribution.of(0, 1);
  static final double SIGMA = 0.5;

  @TempDir static Path dir;
  static LinearModel linear;
  static SmoothingEngine engine;

  @BeforeAll
  static void open() throws Exception {
    linear = LinearModel.standard();
    engine =
        SmoothingEngine.open(
            linear.write(dir.resolve("linear.onnx")),
            new EngineOptions("cpu", 1, OptionalInt.empty(), OptionalInt.empty()));
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  static SmoothingSettings settings(
      Mode mode, int n0, int n, double alpha, long seed, double target) {
    return new SmoothingSettings(
        SIGMA,
        n0,
        n,
        alpha,
        1000,
        mode,
        target > 0 ? OptionalDouble.of(target) : OptionalDouble.empty(),
        OptionalLong.of(seed));
  }

  static double radiusFor(long nA, long n, double alpha) {
    double p = Smoothing.lowerConfidenceBound(nA, n, alpha);
    return p < 0.5 ? 0 : SIGMA * PHI.inverseCumulativeProbability(p);
  }

  @Test
  void clopperPearsonMatchesReferenceValues() {
    // nA = n: the bound is alpha^(1/n); Cohen's ceilings 3.20 sigma (10k) and 3.81 sigma (100k)
    assertEquals(
        3.20,
        PHI.inverseCumulativeProbability(Smoothing.lowerConfidenceBound(10_000, 10_000, 0.001)),
        0.005);
    assertEquals(
        3.81,
        PHI.inverseCumulativeProbability(Smoothing.lowerConfidenceBound(100_000, 100_000, 0.001)),
        0.005);
    assertEquals(
        Math.pow(0.001, 1.0 / 10_000),
        Smoothing.lowerConfidenceBound(10_000, 10_000, 0.001),
        1e-12);
    // general k: the bound p solves P(X >= k | n, p) = alpha (checked with the binomial CDF)
    for (int[] kn : new int[][] {{9_000, 10_000}, {60, 100}, {1, 50}}) {
      double p = Smoothing.lowerConfidenceBound(kn[0], kn[1], 0.001);
      double tail = BinomialDistribution.of(kn[1], p).survivalProbability(kn[0] - 1);
      assertEquals(0.001, tail, 1e-7, "k=" + kn[0] + " n=" + kn[1]);
      double q = Smoothing.upperConfidenceBound(kn[0], kn[1], 0.001);
      assertEquals(0.001, BinomialDistribution.of(kn[1], q).cumulativeProbability(kn[0]), 1e-7);
    }
  }

  @Test
  void engineReachesTheRadiusCeilingWhenEverySampleAgrees() {
    Image far = linear.imageAt(20); // pA = Φ(40): no noisy sample crosses the boundary
    Certificate c = engine.run(far, settings(Mode.CERTIFY, 100, 10_000, 0.001, 1, 0));
    assertEquals(1, c.predictedClass());
    assertEquals(10_000, c.countTop());
    assertEquals(10_100, c.samplesUsed());
    assertEquals(3.20 * SIGMA, c.radius(), 0.005 * SIGMA);
  }

  @Test
  void certifiedRadiusNeverExceedsTheTrueOneAndIsCloseToTheExpectedBound() {
    int n = 20_000;
    double alpha = 0.001;
    for (double d : new double[] {-1.1, -0.6, -0.25, 0.1, 0.3, 0.7, 1.2}) {
      Certificate c = engine.run(linear.imageAt(d), settings(Mode.CERTIFY, 100, n, alpha, 11, 0));
      assertTrue(c.radius() <= Math.abs(d), "d=" + d + " radius " + c.radius());
      assertEquals(d > 0 ? 1 : 0, c.predictedClass(), "d=" + d);
      // nA ~ Binomial(n, Φ(|d|/sigma)); 5 standard deviations either side bound the radius
      double p = PHI.cumulativeProbability(Math.abs(d) / SIGMA);
      double slack = 5 * Math.sqrt(n * p * (1 - p));
      double lo = radiusFor((long) Math.floor(n * p - slack), n, alpha);
      double hi = radiusFor((long) Math.min(n, Math.ceil(n * p + slack)), n, alpha);
      assertTrue(
          c.radius() >= lo && c.radius() <= hi,
          "d=" + d + ": radius " + c.radius() + " outside [" + lo + ", " + hi + "]");
    }
  }

  /** Upper end of a binomial(trials, alpha) count that is exceeded with probability < 1e-4. */
  static int allowedFailures(int trials, double alpha) {
    return BinomialDistribution.of(trials, alpha).inverseSurvivalProbability(1e-4);
  }

  @Test
  void certifyCoverageStaysWithinAlpha() {
    double d = 0.3, alpha = 0.05;
    int trials = 400, wrong = 0;
    Image x = linear.imageAt(d);
    SmoothingSettings s = settings(Mode.CERTIFY, 10, 100, alpha, 5, 0);
    for (int t = 0; t < trials; t++) {
      Certificate c = engine.run(x, s);
      boolean wrongClass = !c.abstained() && c.predictedClass() != 1;
      if (wrongClass || c.radius() > d) wrong++;
    }
    assertTrue(wrong <= allowedFailures(trials, alpha), wrong + " wrong certificates of " + trials);
  }

  @Test
  void adaptiveCoverageStaysWithinAlpha() {
    // true radius 0.3; asking about 0.32 must rarely come back "certified"
    double d = 0.3, alpha = 0.05;
    int trials = 150, wrong = 0;
    Image x = linear.imageAt(d);
    SmoothingSettings s = settings(Mode.TARGET, 10, 8_000, alpha, 6, 0.32);
    for (int t = 0; t < trials; t++) {
      Certificate c = engine.run(x, s);
      if (c.certifiedAtTarget() || c.radius() > d || (!c.abstained() && c.predictedClass() != 1))
        wrong++;
    }
    assertTrue(wrong <= allowedFailures(trials, alpha), wrong + " wrong decisions of " + trials);
  }

  @Test
  void adaptiveUsesFewerSamplesOnClearCutInputs() {
    int n = 100_000;
    long adaptive = 0, fixed = 0;
    double[] distances = {-1.5, -1.0, 1.0, 1.5, 2.0};
    for (double d : distances) {
      Image x = linear.imageAt(d);
      Certificate t = engine.run(x, settings(Mode.TARGET, 100, n, 0.001, 21, 0.5));
      assertTrue(t.certifiedAtTarget(), "d=" + d + " " + t);
      assertTrue(t.radius() >= 0.5 && t.radius() <= Math.abs(d), t.toString());
      adaptive += t.samplesUsed();
      fixed += 100 + n; // CERTIFY always draws n0 + n
    }
    assertTrue(adaptive < fixed / 10, "adaptive used " + adaptive + " vs fixed " + fixed);
    // and it says "not certified" early when the target is clearly out of reach
    Certificate far =
        engine.run(linear.imageAt(0.2), settings(Mode.TARGET, 100, n, 0.001, 22, 1.0));
    assertTrue(!far.certifiedAtTarget() && far.samplesUsed() < n, far.toString());
  }

  @Test
  void predictAbstainsAtFiftyFiftyAndPredictsClearInputs() {
    Certificate coin =
        engine.run(linear.imageAt(0), settings(Mode.PREDICT, 1, 10_000, 0.001, 3, 0));
    assertTrue(coin.abstained(), coin.toString());
    Certificate clear =
        engine.run(linear.imageAt(-0.4), settings(Mode.PREDICT, 1, 1_000, 0.001, 3, 0));
    assertEquals(0, clear.predictedClass());
    assertEquals(0, clear.radius());
  }

  @Test
  void batchesSplitNExactlyIncludingThePartialLast() {
    long[] counts =
        engine.sampleCounts(linear.imageAt(0.1), SIGMA, OptionalLong.empty(), 2_345, 1_000);
    assertEquals(2_345, counts[0] + counts[1]);
    long[] one = engine.sampleCounts(linear.imageAt(0.1), SIGMA, OptionalLong.empty(), 7, 3);
    assertEquals(7, one[0] + one[1]);
  }

  /**
   * Unseeded CPU graphs run their chunks side by side (ParallelRuns). Every chunk must draw its own
   * noise: if two chunks of a call ever shared a noise stream, their counts would be equal and the
   * variance of a call's count would double. On the hyperplane (pA = 1/2) a call of 256 samples
   * (two chunks of 128 on two workers) has count ~ Binomial(256, 1/2): mean 128, variance 64;
   * duplicated chunks would give variance 128. Over 400 calls the sample variance has a standard
   * error of about 4.5, so 96 is 7 standard errors from either case.
   */
  @Test
  void parallelChunksDrawIndependentNoise() {
    try (SmoothingEngine twoWorkers =
        SmoothingEngine.open(
            dir.resolve("linear.onnx"),
            new EngineOptions("cpu", 2, OptionalInt.empty(), OptionalInt.empty()))) {
      int calls = 400;
      double sum = 0, sumSq = 0;
      for (int i = 0; i < calls; i++) {
        long[] c =
            twoWorkers.sampleCounts(linear.imageAt(0), SIGMA, OptionalLong.empty(), 256, 1000);
        assertEquals(256, c[0] + c[1]);
        sum += c[0];
        sumSq += (double) c[0] * c[0];
      }
      double mean = sum / calls;
      double variance = (sumSq - calls * mean * mean) / (calls - 1);
      assertEquals(128, mean, 3, "mean count on the hyperplane");
      assertTrue(
          variance > 40 && variance < 96,
          "variance of a call's count "
              + variance
              + " (64 if chunks are independent, 128 if shared)");
    }
  }
}
