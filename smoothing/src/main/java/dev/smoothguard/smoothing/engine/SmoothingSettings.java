package dev.smoothguard.smoothing.engine;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * How to certify: noise level, sample counts, error level, Monte Carlo batch size, mode.
 *
 * @param sigma standard deviation of the Gaussian noise, in [0,1] pixel units
 * @param n0 samples used to select the class (CERTIFY / TARGET)
 * @param n samples used to estimate (CERTIFY, PREDICT), the cap for TARGET
 * @param alpha probability that the certificate is wrong
 * @param batch Monte Carlo batch size for one graph run
 * @param mode CERTIFY, PREDICT or TARGET
 * @param targetRadius the radius asked about in TARGET mode
 * @param seed fixed noise seed for reproducible runs, any long (on CUDA, whose noise is drawn in
 *     the graph, only 0..2^24); empty means fresh noise every run
 */
public record SmoothingSettings(
    double sigma,
    int n0,
    int n,
    double alpha,
    int batch,
    Mode mode,
    OptionalDouble targetRadius,
    OptionalLong seed) {

  public static final int DEFAULT_N0 = 100;

  /**
   * TARGET's selection samples: enough to pick a clear-cut class (pA = 0.9 against one rival loses
   * the vote of 32 samples with probability ~1e-8), few next to its first look of 64.
   */
  public static final int DEFAULT_TARGET_N0 = 32;

  public static final int DEFAULT_N = 100_000;
  public static final double DEFAULT_ALPHA = 0.001;
  public static final int DEFAULT_BATCH = 1000;

  public SmoothingSettings {
    if (!(sigma > 0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("sigma must be > 0, got " + sigma);
    }
    if (n0 < 1) throw new IllegalArgumentException("n0 must be >= 1, got " + n0);
    if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0,1), got " + alpha);
    }
    if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    if (mode == null) throw new IllegalArgumentException("mode is required");
    if (mode == Mode.TARGET && (targetRadius.isEmpty() || !(targetRadius.getAsDouble() > 0))) {
      throw new IllegalArgumentException("TARGET mode needs a target radius > 0");
    }
  }

  /** Cohen's defaults (n0=100, n=100 000, alpha=0.001, batch 1000) in CERTIFY mode. */
  public static SmoothingSettings certify(double sigma) {
    return new SmoothingSettings(
        sigma,
        DEFAULT_N0,
        DEFAULT_N,
        DEFAULT_ALPHA,
        DEFAULT_BATCH,
        Mode.CERTIFY,
        OptionalDouble.empty(),
        OptionalLong.empty());
  }
}
