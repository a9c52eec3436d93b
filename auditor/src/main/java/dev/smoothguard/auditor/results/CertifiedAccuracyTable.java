package dev.smoothguard.auditor.results;

import dev.smoothguard.schemas.v1.CertifiedPrediction;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Cohen's certified accuracy over a set of results: mean(correct and radius >= r); abstain = wrong.
 */
public final class CertifiedAccuracyTable {
  private CertifiedAccuracyTable() {}

  public static double at(List<CertifiedPrediction> results, double r) {
    long labelled = results.stream().filter(p -> p.getLabel() != null).count();
    if (labelled == 0) return Double.NaN;
    long ok =
        results.stream()
            .filter(
                p -> Boolean.TRUE.equals(p.getCorrect()) && !p.getAbstained() && p.getRadius() >= r)
            .count();
    return (double) ok / labelled;
  }

  public static void print(PrintStream out, List<CertifiedPrediction> results, List<Double> radii) {
    long abstained = results.stream().filter(CertifiedPrediction::getAbstained).count();
    double meanMs =
        results.stream().mapToDouble(CertifiedPrediction::getLatencyMs).average().orElse(0);
    out.printf(
        Locale.ROOT,
        "%ncertified accuracy over %d images (abstained: %d, mean certify time %.0f ms)%n",
        results.size(),
        abstained,
        meanMs);
    out.println("radius  certified accuracy");
    for (double r : radii) {
      out.printf(Locale.ROOT, "%6.2f  %.3f%n", r, at(results, r));
    }
  }
}
