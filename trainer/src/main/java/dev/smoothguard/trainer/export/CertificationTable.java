package dev.smoothguard.trainer.export;

import dev.smoothguard.smoothing.errors.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Certified accuracy at fixed radii from a certify TSV (Cohen's format: {@code idx label predict
 * radius correct time}): the fraction of rows that are correct with radius ≥ r; abstentions count
 * as wrong.
 */
public final class CertificationTable {
  public static final double[] RADII = {0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0};

  private CertificationTable() {}

  /** Radius (as a string key, e.g. "0.25") to certified accuracy, plus the row count. */
  public record Table(int images, Map<String, Double> accuracyAtRadius) {}

  public static Table read(Path tsv) throws IOException {
    if (!Files.isRegularFile(tsv)) throw new UserError("no certification TSV " + tsv);
    List<String> lines = Files.readAllLines(tsv);
    if (lines.isEmpty() || !lines.get(0).startsWith("idx\tlabel\tpredict\tradius\tcorrect")) {
      throw new UserError(
          tsv + ": not a certify TSV (header idx label predict radius correct time)");
    }
    int n = 0;
    int[] hits = new int[RADII.length];
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) continue;
      String[] f = line.split("\t");
      if (f.length < 5) throw new UserError(tsv + ": short row '" + line + "'");
      double radius = Double.parseDouble(f[3]);
      boolean correct = "1".equals(f[4].trim());
      n++;
      for (int i = 0; i < RADII.length; i++) if (correct && radius >= RADII[i]) hits[i]++;
    }
    if (n == 0) throw new UserError(tsv + ": no rows");
    Map<String, Double> acc = new LinkedHashMap<>();
    for (int i = 0; i < RADII.length; i++) acc.put(key(RADII[i]), (double) hits[i] / n);
    return new Table(n, acc);
  }

  public static String key(double r) {
    return r == Math.rint(r) ? String.format("%.1f", r) : Double.toString(r);
  }
}
