package dev.smoothguard.smoothing.report;

import dev.smoothguard.smoothing.errors.UserError;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cohen et al.'s results format (certify.py / predict.py), kept so existing analysis scripts work:
 * CERTIFY {@code idx label predict radius correct time}, PREDICT {@code idx label predict correct
 * time}; tab separated, time as H:MM:SS.ffffff.
 */
public final class ResultsTsv {
  private ResultsTsv() {}

  public static final String CERTIFY_HEADER = "idx\tlabel\tpredict\tradius\tcorrect\ttime";
  public static final String PREDICT_HEADER = "idx\tlabel\tpredict\tcorrect\ttime";

  public static String certifyLine(ResultRow r) {
    return r.idx()
        + "\t"
        + r.label()
        + "\t"
        + r.predict()
        + "\t"
        + radius(r.radius())
        + "\t"
        + (r.correct() ? 1 : 0)
        + "\t"
        + duration(r.seconds());
  }

  public static String predictLine(ResultRow r) {
    return r.idx()
        + "\t"
        + r.label()
        + "\t"
        + r.predict()
        + "\t"
        + (r.correct() ? 1 : 0)
        + "\t"
        + duration(r.seconds());
  }

  /** Six significant digits, plain notation ("0.48074", "0"). */
  public static String radius(double r) {
    if (r == 0) return "0.0";
    return new BigDecimal(r).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }

  /** Python's str(timedelta): H:MM:SS.ffffff. */
  public static String duration(double seconds) {
    long micros = Math.round(seconds * 1e6);
    long s = micros / 1_000_000;
    return String.format("%d:%02d:%02d.%06d", s / 3600, s / 60 % 60, s % 60, micros % 1_000_000);
  }

  static double parseDuration(String t) {
    String[] hms = t.split(":");
    if (hms.length != 3) return Double.parseDouble(t); // plain seconds
    return Integer.parseInt(hms[0]) * 3600
        + Integer.parseInt(hms[1]) * 60
        + Double.parseDouble(hms[2]);
  }

  /** Reads a CERTIFY or PREDICT file; throws IllegalArgumentException naming file and line. */
  public static List<ResultRow> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    if (lines.isEmpty()) throw new UserError(file + ": empty results file");
    List<String> cols = Arrays.asList(lines.get(0).trim().split("\t"));
    int idx = column(file, cols, "idx"), label = column(file, cols, "label");
    int predict = column(file, cols, "predict"), correct = column(file, cols, "correct");
    int radius = cols.indexOf("radius"), time = cols.indexOf("time");
    List<ResultRow> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) continue;
      String[] f = lines.get(i).split("\t");
      try {
        rows.add(
            new ResultRow(
                Integer.parseInt(f[idx]),
                Integer.parseInt(f[label]),
                Integer.parseInt(f[predict]),
                radius < 0 ? Double.NaN : Double.parseDouble(f[radius]),
                Integer.parseInt(f[correct].trim()) == 1,
                time < 0 ? 0 : parseDuration(f[time])));
      } catch (RuntimeException e) {
        throw new UserError(
            file + ": line " + (i + 1) + " is not a results row: '" + lines.get(i) + "'");
      }
    }
    return rows;
  }

  private static int column(Path file, List<String> cols, String name) {
    int i = cols.indexOf(name);
    if (i < 0) {
      throw new UserError(
          file
              + ": no '"
              + name
              + "' column in header "
              + cols
              + " (expected "
              + CERTIFY_HEADER.replace('\t', ' ')
              + ")");
    }
    return i;
  }
}
