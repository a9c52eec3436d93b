package dev.smoothguard.auditor.summary;

import java.util.Arrays;
import java.util.List;

/**
 * The running robustness statistics of one model over one window, immutable: {@link #plus}
 * returns a new value. Keeps every radius (a window holds at most a few thousand images at
 * seconds per image), so the quantiles are exact.
 *
 * @param modelName the model
 * @param modelVersion its version
 * @param modelSha256 the sha256 of its ONNX file
 * @param count images (abstains included)
 * @param abstained images on which the smoothed classifier abstained
 * @param labelled images with a ground-truth label
 * @param correct labelled images predicted correctly (at any radius)
 * @param samples sum of noisy samples drawn
 * @param radii the certified radius of every image (0 on abstain)
 * @param correctRadii the radius of every labelled, correct image
 */
public record WindowStats(
    String modelName,
    String modelVersion,
    String modelSha256,
    long count,
    long abstained,
    long labelled,
    long correct,
    long samples,
    double[] radii,
    double[] correctRadii) {

  public static WindowStats empty() {
    return new WindowStats("", "", "", 0, 0, 0, 0, 0, new double[0], new double[0]);
  }

  /** Adds one certified image. */
  public WindowStats plus(String name, String version, String sha256, boolean abstain,
      double radius, boolean hasLabel, boolean isCorrect, long samplesUsed) {
    double r = abstain ? 0.0 : radius;
    double[] rs = Arrays.copyOf(radii, radii.length + 1);
    rs[radii.length] = r;
    boolean ok = hasLabel && isCorrect && !abstain;
    double[] cr = correctRadii;
    if (ok) {
      cr = Arrays.copyOf(correctRadii, correctRadii.length + 1);
      cr[correctRadii.length] = r;
    }
    return new WindowStats(name, version, sha256, count + 1, abstained + (abstain ? 1 : 0),
        labelled + (hasLabel ? 1 : 0), correct + (ok ? 1 : 0), samples + samplesUsed, rs, cr);
  }

  /** Both windows' images together (the model fields of the non-empty side win). */
  public WindowStats merge(WindowStats o) {
    if (o.count == 0) return this;
    if (count == 0) return o;
    return new WindowStats(o.modelName, o.modelVersion, o.modelSha256, count + o.count,
        abstained + o.abstained, labelled + o.labelled, correct + o.correct, samples + o.samples,
        concat(radii, o.radii), concat(correctRadii, o.correctRadii));
  }

  private static double[] concat(double[] a, double[] b) {
    double[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Certified images at r: not abstained and radius >= r. */
  public long certifiedCount(double r) {
    long atLeast = 0;
    for (double x : radii) if (x >= r) atLeast++;
    // abstains are stored as 0, so they are inside "radius >= 0" only
    return r <= 0 ? atLeast - abstained : atLeast;
  }

  /** Labelled images that are correct with radius >= r (Cohen's numerator). */
  public long correctAt(double r) {
    long k = 0;
    for (double x : correctRadii) if (x >= r) k++;
    return k;
  }

  /** Certified accuracy at r over the labelled images; NaN when none is labelled. */
  public double accuracyAt(double r) {
    return labelled == 0 ? Double.NaN : (double) correctAt(r) / labelled;
  }

  /** Nearest-rank quantile of the radii (abstain = 0); 0 for an empty window. */
  public double radiusQuantile(double p) {
    if (radii.length == 0) return 0.0;
    double[] sorted = radii.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
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
    return o instanceof WindowStats w && modelName.equals(w.modelName)
        && modelVersion.equals(w.modelVersion) && modelSha256.equals(w.modelSha256)
        && count == w.count && abstained == w.abstained && labelled == w.labelled
        && correct == w.correct && samples == w.samples && Arrays.equals(radii, w.radii)
        && Arrays.equals(correctRadii, w.correctRadii);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(modelName, count, samples, Arrays.hashCode(radii));
  }
}
