package dev.smoothguard.smoothing.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.ToIntFunction;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/**
 * CERTIFY, PREDICT and TARGET against a stub sampler of known class probabilities ({@link
 * BernoulliSampler}), so every statistical claim is checked against exact numbers. The coverage
 * tests run >= 10 000 certificates each and compare the count of wrong ones with a binomial tail
 * bound; each test also shows, by running the bug, that a 2-alpha bug or a missing Bonferroni
 * correction lands far outside that bound.
 */
class SmoothingAlgorithmsTest {
  static final NormalDistribution PHI = NormalDistribution.of(0, 1);
  static final double SIGMA = 0.25;

  static SmoothingSettings settings(Mode mode, int n0, int n, double alpha, double targetRadius) {
    return new SmoothingSettings(
        SIGMA,
        n0,
        n,
        alpha,
        1000,
        mode,
        targetRadius > 0 ? OptionalDouble.of(targetRadius) : OptionalDouble.empty(),
        OptionalLong.empty());
  }

  /** Count above which a Binomial(trials, p) count lies with probability < 1e-6. */
  static int allowed(int trials, double p) {
    return BinomialDistribution.of(trials, p).inverseSurvivalProbability(1e-6);
  }

  /** How many of {@code trials} runs (sampler seeds 1..trials) {@code wrong} counts as wrong. */
  static int wrongOf(int trials, double[] p, ToIntFunction<Smoothing.Sampler> wrong) {
    int total = 0;
    for (int t = 1; t <= trials; t++) total += wrong.applyAsInt(new BernoulliSampler(t, p));
    return total;
  }

  // ---- PREDICT's p-value ----

  @Test
  void predictPValueMatchesExactValues() {
    // {nA, nB, p}: p = min(1, 2 * sum_{k>=nA} C(N,k) / 2^N), N = nA+nB, computed exactly with
    // Python's fractions.Fraction and math.comb, then printed with %.17g
    double[][] reference = {
      {60, 40, 0.056887933640980791}, // Commons Statistics 1.1's BinomialTest says 0.0460
      {61, 39, 0.035200200217704813},
      {59, 41, 0.088626080114067585},
      {51, 49, 0.92041076261282129},
      {50, 50, 1},
      {1, 1, 1},
      {1, 0, 1},
      {3, 0, 0.25},
      {10, 0, 0.001953125},
      {7, 3, 0.34375},
      {15, 5, 0.04138946533203125},
      {520, 480, 0.21744829320414094},
      {620, 380, 3.1032459083426661e-14},
      {5100, 4900, 0.046585527704947387},
      {5300, 4700, 2.0760336959207247e-09},
    };
    for (double[] r : reference) {
      double p = Smoothing.twoSidedPValue((long) r[0], (long) (r[0] + r[1]));
      assertEquals(r[2], p, 1e-12 * r[2], r[0] + " of " + (r[0] + r[1]));
    }
  }

  @Test
  void predictAbstainsAtSixtyOfHundredAtFivePercent() {
    // p = 0.0569 > 0.05: abstain (a p-value of 0.0460 would predict)
    Smoothing.Sampler fixed = num -> new long[] {60, 40};
    assertEquals(
        Certificate.ABSTAIN,
        Smoothing.predict(fixed, settings(Mode.PREDICT, 1, 100, 0.05, 0)).predictedClass());
    Smoothing.Sampler clearer = num -> new long[] {61, 39};
    assertEquals(
        0, Smoothing.predict(clearer, settings(Mode.PREDICT, 1, 100, 0.05, 0)).predictedClass());
    // the runner-up is the largest other count, not the sum of the others
    Smoothing.Sampler three = num -> new long[] {20, 61, 19};
    assertEquals(
        1, Smoothing.predict(three, settings(Mode.PREDICT, 1, 100, 0.05, 0)).predictedClass());
  }

  // ---- TARGET's looks ----

  @Test
  void looksStartAtMost64AndDoubleUpToN() {
    assertArrayEquals(
        new long[] {64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 100_000},
        Smoothing.looks(100_000));
    assertArrayEquals(new long[] {64, 128, 256}, Smoothing.looks(256));
    assertArrayEquals(new long[] {64, 65}, Smoothing.looks(65));
    assertArrayEquals(new long[] {64}, Smoothing.looks(64));
    assertArrayEquals(new long[] {10}, Smoothing.looks(10));
    for (int n : new int[] {1, 63, 1000, 10_000, 123_457, Integer.MAX_VALUE}) {
      long[] looks = Smoothing.looks(n);
      assertTrue(looks[0] <= Smoothing.FIRST_LOOK && looks[0] >= 1, "n=" + n);
      assertEquals(n, looks[looks.length - 1]);
      for (int i = 1; i < looks.length; i++) {
        assertTrue(
            looks[i] > looks[i - 1] && looks[i] <= 2 * looks[i - 1], "n=" + n + " look " + i);
      }
    }
  }

  @Test
  void targetSpendsAlphaOverItsLooksAndStopsAtTheLastOne() {
    // every sample agrees: TARGET with an unreachable target goes to n, where its ceiling is the
    // Clopper-Pearson bound at alpha/12 (12 looks to 100 000): (alpha/12)^(1/n)
    double alpha = 0.001;
    Smoothing.Sampler unanimous = num -> new long[] {num, 0};
    Smoothing.Decision d =
        Smoothing.target(unanimous, settings(Mode.TARGET, 32, 100_000, alpha, 10 * SIGMA));
    assertEquals(32 + 100_000, d.samplesUsed());
    assertEquals(Math.pow(alpha / 12, 1e-5), d.pALower(), 1e-12);
    // 3.73 sigma at n = 100k (CERTIFY's ceiling is 3.81 sigma)
    assertEquals(3.73, d.radius() / SIGMA, 0.005);
  }

  @Test
  void targetDecidesClearCutInputsWithFewSamplesAtTheDefaults() {
    // pA = 0.97 against a needed Phi(r/sigma) = 0.7, with the CLI's defaults for TARGET:
    // n0 = 32, n = 100 000, alpha = 0.001
    double r = SIGMA * PHI.inverseCumulativeProbability(0.7);
    SmoothingSettings s =
        settings(
            Mode.TARGET,
            SmoothingSettings.DEFAULT_TARGET_N0,
            SmoothingSettings.DEFAULT_N,
            SmoothingSettings.DEFAULT_ALPHA,
            r);
    int images = 10_000;
    long samples = 0;
    int certified = 0;
    for (int t = 1; t <= images; t++) {
      BernoulliSampler f = new BernoulliSampler(t, 0.97, 0.03);
      Smoothing.Decision d = Smoothing.target(f, s);
      assertEquals(f.drawn(), d.samplesUsed(), "samplesUsed counts every draw, selection included");
      samples += d.samplesUsed();
      if (d.certifiedAtTarget() && d.predictedClass() == 0) certified++;
    }
    double mean = samples / (double) images;
    System.out.printf(
        "TARGET, pA 0.97 vs needed 0.7, defaults: %.1f samples per image, %d of %d certified%n",
        mean, certified, images);
    assertTrue(mean <= 200, "mean samples per image " + mean);
    assertTrue(certified >= images - 10, certified + " certified of " + images);
  }

  // ---- coverage ----

  /**
   * CERTIFY at alpha = 0.05, n = 100, pA chosen where a 2-alpha bug is worst: just below the lower
   * bound that 80 of 100 gets at level 2 alpha (pA = 0.7393). Correct code claims more than pA with
   * probability 0.0386 (<= alpha); a 2-alpha bug does so already at nA >= 80, with probability
   * 0.1000. Over 20 000 certificates: correct ~772, the bound (1e-6 tail of Binomial(20 000,
   * alpha)) 1 150, a 2-alpha bug ~2 000 +- 42 (observed 1 923): 20 standard deviations beyond the
   * bound. The test computes these rates and runs the bug to show it.
   */
  @Test
  void certifyCoverageHoldsAndA2AlphaBugWouldFail() {
    double alpha = 0.05;
    int n0 = 10, n = 100, trials = 20_000;
    double pA = Smoothing.lowerConfidenceBound(80, n, 2 * alpha) * (1 - 1e-9);
    double[] p = {pA, 1 - pA};
    int bound = allowed(trials, alpha);
    double bugRate = rateOfOverclaim(pA, n, 2 * alpha);
    assertTrue(rateOfOverclaim(pA, n, alpha) <= alpha);
    assertTrue(
        bugRate * trials - 10 * Math.sqrt(trials * bugRate) > bound,
        "the test has no power: " + bugRate);

    ToIntFunction<Double> wrongAtLevel =
        level ->
            wrongOf(
                trials,
                p,
                f -> {
                  Smoothing.Decision d =
                      Smoothing.certify(f, settings(Mode.CERTIFY, n0, n, level, 0));
                  return wrongCertificate(d, pA) ? 1 : 0;
                });
    int wrong = wrongAtLevel.applyAsInt(alpha);
    assertTrue(wrong <= bound, wrong + " wrong certificates of " + trials + ", allowed " + bound);
    int wrongBug = wrongAtLevel.applyAsInt(2 * alpha);
    System.out.printf(
        "CERTIFY coverage: pA %.4f, exact rate %.4f, 2-alpha bug %.4f; wrong %d, bound %d, bug %d of %d%n",
        pA, rateOfOverclaim(pA, n, alpha), bugRate, wrong, bound, wrongBug, trials);
    assertTrue(wrongBug > bound, "a 2-alpha bug gave " + wrongBug + " wrong of " + trials);
  }

  /** A certificate is wrong if it names another class than 0 or claims more than pA. */
  static boolean wrongCertificate(Smoothing.Decision d, double pA) {
    return d.predictedClass() != Certificate.ABSTAIN
        && (d.predictedClass() != 0 || d.pALower() > pA);
  }

  /** P(Clopper-Pearson lower bound of Bin(n, pA) at level a exceeds pA), exactly. */
  static double rateOfOverclaim(double pA, int n, double a) {
    int k = 0;
    while (k <= n && Smoothing.lowerConfidenceBound(k, n, a) <= pA) k++;
    return BinomialDistribution.of(n, pA).survivalProbability(k - 1);
  }

  /**
   * TARGET at alpha = 0.05, n = 4096 (7 looks: 64 ... 4096), pA = 0.8 and a target just out of
   * reach (needed 0.83), so the looks go on long. A certificate is wrong when some look's lower
   * bound exceeds pA. Its exact probability comes from a walk over the looks ({@link
   * #targetOverclaimRate}): with alpha/7 per look 0.0317 (<= alpha), without the Bonferroni
   * correction 0.1424, with 2 alpha/7 per look 0.0525. The bound is the 1e-6 tail of Binomial(10
   * 000, 0.0317) = 404; a missing correction (~1 424 +- 35, observed 1 469) lands 29 standard
   * deviations above it, a 2-alpha bug (~525 +- 22) 5.4. The test asserts this power and runs the
   * missing correction.
   */
  @Test
  void targetCoverageHoldsAndMissingBonferroniWouldFail() {
    double alpha = 0.05, pA = 0.8;
    int n0 = 32, n = 4096, trials = 10_000;
    double r = SIGMA * PHI.inverseCumulativeProbability(0.83);
    SmoothingSettings s = settings(Mode.TARGET, n0, n, alpha, r);
    long[] looks = Smoothing.looks(n);
    double exact = targetOverclaimRate(pA, 0.83, looks, alpha / looks.length);
    assertTrue(exact <= alpha, "exact error rate " + exact);
    int bound = allowed(trials, exact);
    for (double bugLevel : new double[] {alpha, 2 * alpha / looks.length}) {
      double bugRate = targetOverclaimRate(pA, 0.83, looks, bugLevel);
      assertTrue(
          bugRate * trials - 5 * Math.sqrt(trials * bugRate) > bound,
          "no power against alpha " + bugLevel + " per look: " + bugRate + " vs bound " + bound);
    }
    double[] p = {pA, 1 - pA};
    int wrong = wrongOf(trials, p, f -> wrongCertificate(Smoothing.target(f, s), pA) ? 1 : 0);
    assertTrue(
        wrong <= bound,
        wrong + " wrong of " + trials + ", allowed " + bound + " (exact rate " + exact + ")");
    int wrongBug =
        wrongOf(trials, p, f -> wrongCertificate(Smoothing.target(f, s, looks, alpha), pA) ? 1 : 0);
    System.out.printf(
        "TARGET coverage: exact rate %.4f, no correction %.4f, 2 alpha %.4f; wrong %d, bound %d, bug %d of %d%n",
        exact,
        targetOverclaimRate(pA, 0.83, looks, alpha),
        targetOverclaimRate(pA, 0.83, looks, 2 * alpha / looks.length),
        wrong,
        bound,
        wrongBug,
        trials);
    assertTrue(
        wrongBug > bound,
        "a missing Bonferroni correction gave " + wrongBug + " wrong of " + trials);
  }

  /**
   * Exact probability that TARGET (class 0 selected, looks at {@code looks}, level {@code a} per
   * look) sees a lower bound above pA at some look before it stops: a walk over the distribution of
   * the cumulative count of class 0, removing paths that stop ("not certified": upper bound below
   * needed) or fail. Selection picks class 1 with probability P(Bin(32, 0.8) < 16) ~ 1e-4, and then
   * never certifies it (pB = 0.2 against a needed 0.5), so this over-counts slightly.
   */
  static double targetOverclaimRate(double pA, double needed, long[] looks, double a) {
    double[] running = {1};
    long m = 0;
    double failed = 0;
    for (long look : looks) {
      int step = (int) (look - m);
      BinomialDistribution b = BinomialDistribution.of(step, pA);
      double[] next = new double[(int) look + 1];
      for (int k = 0; k < running.length; k++) {
        if (running[k] == 0) continue;
        for (int j = 0; j <= step; j++) next[k + j] += running[k] * b.probability(j);
      }
      m = look;
      for (int k = 0; k <= m; k++) {
        if (next[k] == 0) continue;
        if (Smoothing.lowerConfidenceBound(k, m, a) > pA) {
          failed += next[k];
          next[k] = 0;
        } else if (Smoothing.upperConfidenceBound(k, m, a) < needed) {
          next[k] = 0;
        }
      }
      running = next;
    }
    return failed;
  }

  /**
   * PREDICT at alpha = 0.05 on a tie (pA = pB = 1/2): every answer but abstain is wrong. With n =
   * 138 the exact test's size is 0.04985, as close to alpha as binomial steps allow. Over 20 000
   * runs: ~997 wrong, the bound (1e-6 tail of Binomial(20 000, alpha)) 1 150; a 2-alpha bug (e.g. a
   * one-sided p-value) has size 0.0735 at n = 138: ~1 469 +- 37 (observed 1 540), 8.6 standard
   * deviations beyond. The test runs that bug too.
   */
  @Test
  void predictCoverageHoldsAndA2AlphaBugWouldFail() {
    double alpha = 0.05;
    int n = 138, trials = 20_000;
    double[] tie = {0.5, 0.5};
    int bound = allowed(trials, alpha);
    ToIntFunction<Double> wrongAtLevel =
        level ->
            wrongOf(
                trials,
                tie,
                f -> {
                  Smoothing.Decision d =
                      Smoothing.predict(f, settings(Mode.PREDICT, 1, n, level, 0));
                  return d.predictedClass() != Certificate.ABSTAIN ? 1 : 0;
                });
    int wrong = wrongAtLevel.applyAsInt(alpha);
    assertTrue(wrong <= bound, wrong + " wrong predictions of " + trials + ", allowed " + bound);
    int wrongBug = wrongAtLevel.applyAsInt(2 * alpha);
    System.out.printf(
        "PREDICT coverage: wrong %d, bound %d, 2-alpha bug %d of %d%n",
        wrong, bound, wrongBug, trials);
    assertTrue(wrongBug > bound, "a 2-alpha bug gave " + wrongBug + " wrong of " + trials);
  }
}
