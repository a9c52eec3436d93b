package dev.smoothguard.smoothing.cli.common;

/**
 * The defaults of the Monte Carlo flags, in one place (strings: picocli annotations need
 * constants). Why {@code n} has three defaults, each on purpose:
 *
 * <ul>
 *   <li>{@link #N_EVALUATION} = 100 000 for {@code certify} and {@code predict}: Cohen et al.'s
 *       evaluation setting, so results compare with the paper; the radius ceiling (nA = n, alpha
 *       0.001) is 3.81 sigma. An offline run can afford it.
 *   <li>10 000 for the service ({@code n} in auditor.properties, the auditor's own default): one
 *       image costs a tenth of the samples, for a ceiling of 3.20 sigma; a stream has a latency
 *       budget per image. Set {@code n=100000} to report the paper's radii.
 *   <li>{@link #N_DEMO} = 1 000 for {@code demo} and {@code bench-stream}: a result every second or
 *       so on a laptop, so the demo shows something at once (ceiling 2.5 sigma).
 * </ul>
 *
 * {@code n0}, {@code alpha} and {@code batch} are the same everywhere.
 */
public final class SamplingDefaults {
  /** certify / predict: Cohen's evaluation setting. */
  public static final String N_EVALUATION = "100000";

  /** demo / bench-stream: a result per second on a laptop. */
  public static final String N_DEMO = "1000";

  /** Selection samples of CERTIFY (all commands and the service). */
  public static final String N0 = "100";

  /** Failure probability of a certificate (all commands and the service). */
  public static final String ALPHA = "0.001";

  /** Noisy samples per graph run (all commands and the service). */
  public static final String BATCH = "1000";

  private SamplingDefaults() {}
}
