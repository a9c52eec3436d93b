package dev.smoothguard.smoothing.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Certified accuracy of several results files on the same images, each against the first (the
 * reference), with the exact McNemar test of the paired outcomes at every radius, as a Markdown
 * table.
 */
public final class ComparisonTable {
  private ComparisonTable() {}

  /** Default radii of {@code compare}: the usual columns of the papers' tables up to 1. */
  public static final double[] DEFAULT_RADII = {0, 0.25, 0.5, 0.75, 1.0};

  /**
   * Discordant pairs at radius r: b = images the reference certifies correctly and the other does
   * not, c = the reverse. Rows are paired by position (see {@link PairedResults}).
   */
  public static McNemar discordant(List<ResultRow> reference, List<ResultRow> other, double r) {
    if (reference.size() != other.size()) {
      throw new IllegalArgumentException(
          "unpaired rows: " + reference.size() + " vs " + other.size());
    }
    int b = 0, c = 0;
    for (int i = 0; i < reference.size(); i++) {
      if (reference.get(i).idx() != other.get(i).idx()) {
        throw new IllegalArgumentException("unpaired rows at position " + i);
      }
      boolean ref = CertifiedAccuracy.certifiedCorrect(reference.get(i), r);
      boolean oth = CertifiedAccuracy.certifiedCorrect(other.get(i), r);
      if (ref && !oth) b++;
      if (!ref && oth) c++;
    }
    return new McNemar(b, c);
  }

  /** The table and a few lines that say what its columns are. */
  public static String markdown(PairedResults paired, double[] radii) {
    List<String> names = new ArrayList<>(paired.rows().keySet());
    List<List<ResultRow>> files = new ArrayList<>(paired.rows().values());
    String ref = names.get(0);
    List<ResultRow> refRows = files.get(0);

    List<String> header = new ArrayList<>(List.of("radius", cell(ref)));
    List<String> align = new ArrayList<>(List.of("---:", "---:"));
    for (String other : names.subList(1, names.size())) {
      header.addAll(List.of(cell(other), "diff (pts)", "b", "c", "McNemar p"));
      align.addAll(Collections.nCopies(5, "---:"));
    }
    List<List<String>> body = new ArrayList<>();
    for (double r : radii) {
      double refAcc = CertifiedAccuracy.at(refRows, r);
      List<String> row = new ArrayList<>(List.of(fmt("%.2f", r), percent(refAcc)));
      for (List<ResultRow> other : files.subList(1, files.size())) {
        double acc = CertifiedAccuracy.at(other, r);
        McNemar test = discordant(refRows, other, r);
        row.addAll(
            List.of(
                percent(acc),
                fmt("%+.1f", 100 * (acc - refAcc)),
                Integer.toString(test.b()),
                Integer.toString(test.c()),
                pValue(test.pValue())));
      }
      body.add(row);
    }
    double refAcr = CertifiedAccuracy.averageCertifiedRadius(refRows);
    List<String> acr = new ArrayList<>(List.of("ACR", fmt("%.3f", refAcr)));
    for (List<ResultRow> other : files.subList(1, files.size())) {
      double a = CertifiedAccuracy.averageCertifiedRadius(other);
      acr.addAll(List.of(fmt("%.3f", a), fmt("%+.3f", a - refAcr), "", "", ""));
    }
    body.add(acr);

    StringBuilder sb = new StringBuilder();
    render(sb, header, align, body);
    sb.append('\n')
        .append(
            fmt(
                "%d paired images (idx %d to %d). Certified accuracy in %%: correct and radius >= r"
                    + " (abstentions are wrong). diff: that file minus %s, in points. b: images %s"
                    + " certifies correctly at r and that file does not; c: the reverse. McNemar p:"
                    + " exact two-sided, min(1, 2 P(X <= min(b,c))), X ~ Binomial(b+c, 1/2)."
                    + " ACR: average certified radius (radius if correct, else 0).%n",
                paired.size(), paired.idx().get(0), paired.idx().get(paired.size() - 1), ref, ref));
    return sb.toString();
  }

  /** A Markdown table whose columns line up in a terminal too. */
  private static void render(
      StringBuilder sb, List<String> header, List<String> align, List<List<String>> body) {
    int[] width = new int[header.size()];
    for (List<String> row : concat(header, align, body)) {
      for (int j = 0; j < row.size(); j++) width[j] = Math.max(width[j], row.get(j).length());
    }
    for (List<String> row : concat(header, align, body)) {
      sb.append('|');
      for (int j = 0; j < row.size(); j++) {
        String v = row.get(j);
        if (row == align) v = "-".repeat(width[j] - 1) + ":";
        sb.append(' ').append(" ".repeat(width[j] - v.length())).append(v).append(" |");
      }
      sb.append('\n');
    }
  }

  private static List<List<String>> concat(
      List<String> header, List<String> align, List<List<String>> body) {
    List<List<String>> all = new ArrayList<>(List.of(header, align));
    all.addAll(body);
    return all;
  }

  /** A file name as a table cell: a '|' would end the cell. */
  private static String cell(String name) {
    return name.replace("|", "\\|");
  }

  private static String percent(double fraction) {
    return fmt("%.1f", 100 * fraction);
  }

  /** Three significant digits; tiny values in scientific notation. */
  static String pValue(double p) {
    if (p >= 1) return "1";
    return p >= 1e-3 ? fmt("%.3g", p) : fmt("%.2e", p);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
