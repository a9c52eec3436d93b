package dev.smoothguard.smoothing.report;

import java.util.List;

/**
 * Certified accuracy at radius r = fraction of images whose certificate is correct and has radius
 * >= r (abstentions count as wrong), as in Cohen et al.'s analysis.
 */
public final class CertifiedAccuracy {
  private CertifiedAccuracy() {}

  public static final double[] TABLE_RADII = {0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0};

  public static double at(List<ResultRow> rows, double r) {
    if (rows.isEmpty()) return Double.NaN;
    long ok = rows.stream().filter(x -> certifiedCorrect(x, r)).count();
    return (double) ok / rows.size();
  }

  /**
   * The one rule behind every certified-accuracy figure: the certificate is correct and its radius
   * is at least r. An abstention is never correct; a PREDICT row (radius NaN) never is either.
   */
  public static boolean certifiedCorrect(ResultRow row, double r) {
    return row.correct() && row.radius() >= r;
  }

  /**
   * Average certified radius (ACR, as in MACER and the DMAE paper): the mean over all images of the
   * radius when correct and 0 otherwise, i.e. the area under the certified-accuracy curve.
   */
  public static double averageCertifiedRadius(List<ResultRow> rows) {
    // the same rule as at(): a row without a finite radius (PREDICT) adds 0, never NaN
    return rows.stream()
        .mapToDouble(x -> certifiedCorrect(x, 0) ? x.radius() : 0)
        .average()
        .orElse(Double.NaN); // no rows: no average
  }

  public static double abstainRate(List<ResultRow> rows) {
    if (rows.isEmpty()) return Double.NaN;
    return (double) rows.stream().filter(x -> x.predict() < 0).count() / rows.size();
  }

  /** The table printed at the end of certify; radii in the units of the image as noised. */
  public static String table(List<ResultRow> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-12s %s%n", "radius", "certified accuracy"));
    for (double r : TABLE_RADII) {
      sb.append(String.format("%-12.2f %.4f%n", r, at(rows, r)));
    }
    return sb.toString();
  }
}
