package dev.smoothguard.auditor.summary;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The robustness statistics of one summary key over one window, immutable and of bounded size
 * whatever the number of images: counts, the certified and correct counts at each configured radius
 * (exact), and a fixed-size radius histogram for the quantiles (within half a bin).
 *
 * <p>The histogram has {@link #BINS} bins of {@code binWidth} (sigma/100: the radius is a multiple
 * of sigma, sigma x Phi^-1(pA), so this keeps the same relative resolution at every sigma) over [0,
 * BINS x binWidth), the last bin taking everything beyond; radius 0 (abstain, PREDICT mode) is
 * counted apart so that a quantile of 0 is exact.
 *
 * @param modelName the model
 * @param modelVersion its version
 * @param modelSha256 the sha256 of its ONNX file
 * @param binWidth histogram bin width, in radius units
 * @param count images (abstains included)
 * @param abstained images on which the smoothed classifier abstained
 * @param labelled images with a ground-truth label
 * @param correct labelled images predicted correctly (at any radius)
 * @param samples sum of noisy samples drawn
 * @param zeroRadius images with radius 0 (abstains, and every image in PREDICT mode)
 * @param maxRadius the largest radius seen
 * @param radii the configured radii, ascending
 * @param certifiedAt per configured radius: images not abstained with radius >= r
 * @param correctAt per configured radius: labelled, correct images with radius >= r
 * @param bins the histogram of the radii > 0
 */
public record WindowStats(
    String modelName,
    String modelVersion,
    String modelSha256,
    double binWidth,
    long count,
    long abstained,
    long labelled,
    long correct,
    long samples,
    long zeroRadius,
    double maxRadius,
    double[] radii,
    long[] certifiedAt,
    long[] correctAt,
    long[] bins) {

  public static final int BINS = 600;

  /** Bins per sigma: the resolution of the quantiles is sigma / (2 x this). */
  public static final int BINS_PER_SIGMA = 100;

  /** An empty window for the given configured radii and noise level. */
  public static WindowStats empty(List<Double> radii, double sigma) {
    double[] r = radii.stream().mapToDouble(Double::doubleValue).toArray();
    return new WindowStats(
        "",
        "",
        "",
        sigma / BINS_PER_SIGMA,
        0,
        0,
        0,
        0,
        0,
        0,
        0.0,
        r,
        new long[r.length],
        new long[r.length],
        new long[BINS]);
  }

  /** Adds one certified image. */
  public WindowStats plus(
      String name,
      String version,
      String sha256,
      boolean abstain,
      double radius,
      boolean hasLabel,
      boolean isCorrect,
      long samplesUsed) {
    double r = abstain ? 0.0 : radius;
    boolean ok = hasLabel && isCorrect && !abstain;
    long[] cert = certifiedAt.clone();
    long[] corr = correctAt.clone();
    for (int i = 0; i < radii.length; i++) {
      if (!abstain && r >= radii[i]) cert[i]++;
      if (ok && r >= radii[i]) corr[i]++;
    }
    long[] b = bins;
    if (r > 0) {
      b = bins.clone();
      b[binOf(r)]++;
    }
    return new WindowStats(
        name,
        version,
        sha256,
        binWidth,
        count + 1,
        abstained + (abstain ? 1 : 0),
        labelled + (hasLabel ? 1 : 0),
        correct + (ok ? 1 : 0),
        samples + samplesUsed,
        zeroRadius + (r > 0 ? 0 : 1),
        Math.max(maxRadius, r),
        radii,
        cert,
        corr,
        b);
  }

  private int binOf(double r) {
    return (int) Math.min(BINS - 1, Math.floor(r / binWidth));
  }

  /** Both windows' images together (the model fields of the non-empty side win). */
  public WindowStats merge(WindowStats o) {
    if (o.count == 0) return this;
    if (count == 0) return o;
    if (!Arrays.equals(radii, o.radii) || binWidth != o.binWidth) {
      throw new IllegalArgumentException("windows of different radii or bin widths do not merge");
    }
    return new WindowStats(
        o.modelName,
        o.modelVersion,
        o.modelSha256,
        binWidth,
        count + o.count,
        abstained + o.abstained,
        labelled + o.labelled,
        correct + o.correct,
        samples + o.samples,
        zeroRadius + o.zeroRadius,
        Math.max(maxRadius, o.maxRadius),
        radii,
        add(certifiedAt, o.certifiedAt),
        add(correctAt, o.correctAt),
        add(bins, o.bins));
  }

  private static long[] add(long[] a, long[] b) {
    long[] out = a.clone();
    for (int i = 0; i < out.length; i++) out[i] += b[i];
    return out;
  }

  private int indexOf(double r) {
    for (int i = 0; i < radii.length; i++) if (radii[i] == r) return i;
    throw new IllegalArgumentException(
        "radius " + r + " is not one of the configured radii " + Arrays.toString(radii));
  }

  /** Certified images at a configured radius r: not abstained and radius >= r. */
  public long certifiedCount(double r) {
    return certifiedAt[indexOf(r)];
  }

  /**
   * Labelled images that are correct with radius >= r (Cohen's numerator), at a configured radius.
   */
  public long correctAt(double r) {
    return correctAt[indexOf(r)];
  }

  /**
   * Certified accuracy at a configured radius over the labelled images; NaN when none is labelled.
   */
  public double accuracyAt(double r) {
    return labelled == 0 ? Double.NaN : (double) correctAt(r) / labelled;
  }

  /** The largest difference between {@link #radiusQuantile} and the exact nearest-rank quantile. */
  public double resolution() {
    return binWidth / 2;
  }

  /**
   * Nearest-rank quantile of the radii (abstain = 0): 0 exactly when the rank falls on a zero
   * radius, else the middle of the histogram bin that holds it, kept within [0, maxRadius]; 0 for
   * an empty window.
   */
  public double radiusQuantile(double p) {
    if (count == 0) return 0.0;
    long rank = Math.min(count, Math.max(1, (long) Math.ceil(p * count)));
    if (rank <= zeroRadius) return 0.0;
    long seen = zeroRadius;
    for (int i = 0; i < BINS; i++) {
      seen += bins[i];
      if (seen >= rank) {
        if (i == BINS - 1) return maxRadius;
        return Math.min(maxRadius, (i + 0.5) * binWidth);
      }
    }
    return maxRadius;
  }

  public double meanSamples() {
    return count == 0 ? 0.0 : (double) samples / count;
  }

  /** Certified accuracy at each radius, in the given order. */
  public List<Double> accuracies(List<Double> atRadii) {
    return atRadii.stream().map(this::accuracyAt).toList();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WindowStats w
        && modelName.equals(w.modelName)
        && modelVersion.equals(w.modelVersion)
        && modelSha256.equals(w.modelSha256)
        && binWidth == w.binWidth
        && count == w.count
        && abstained == w.abstained
        && labelled == w.labelled
        && correct == w.correct
        && samples == w.samples
        && zeroRadius == w.zeroRadius
        && maxRadius == w.maxRadius
        && Arrays.equals(radii, w.radii)
        && Arrays.equals(certifiedAt, w.certifiedAt)
        && Arrays.equals(correctAt, w.correctAt)
        && Arrays.equals(bins, w.bins);
  }

  @Override
  public int hashCode() {
    return Objects.hash(modelSha256, count, samples, Arrays.hashCode(bins));
  }

  @Override
  public String toString() {
    return "WindowStats["
        + modelName
        + " "
        + modelSha256
        + " count="
        + count
        + " abstained="
        + abstained
        + " labelled="
        + labelled
        + " correct="
        + correct
        + " certifiedAt="
        + Arrays.toString(certifiedAt)
        + "]";
  }
}
