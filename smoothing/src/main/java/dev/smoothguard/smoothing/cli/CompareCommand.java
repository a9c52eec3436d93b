package dev.smoothguard.smoothing.cli;

import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.smoothing.report.AccuracyPlot;
import dev.smoothguard.smoothing.report.ComparisonTable;
import dev.smoothguard.smoothing.report.PairedResults;
import dev.smoothguard.smoothing.report.ResultRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Certified accuracy of certify TSVs on the same images, each against the first:",
      "difference in points and exact McNemar test of the paired outcomes per radius,",
      "and the average certified radius (ACR), as a Markdown table. Rows are paired",
      "by idx; only the idx present in every file count."
    })
final class CompareCommand implements Callable<Integer> {
  @Parameters(
      arity = "2..*",
      paramLabel = "results.tsv",
      description = "certify outputs; the first is the reference")
  List<Path> files;

  @Option(
      names = "--radii",
      split = ",",
      splitSynopsisLabel = ",",
      paramLabel = "R",
      description = "radii of the rows (default: 0,0.25,0.5,0.75,1.0)")
  double[] radii = ComparisonTable.DEFAULT_RADII;

  @Option(names = "--out", paramLabel = "table.md", description = "also write the table here")
  Path out;

  @Option(
      names = "--plot",
      paramLabel = "x.png",
      description = "also draw the paired images' certified accuracy vs radius, overlaid")
  Path plot;

  @Override
  public Integer call() throws Exception {
    for (double r : radii) {
      if (!(r >= 0) || Double.isInfinite(r)) {
        throw new UserError("--radii must be finite and >= 0, got " + r);
      }
    }
    Map<String, List<ResultRow>> series = ResultFiles.read(files);
    for (Map.Entry<String, List<ResultRow>> s : series.entrySet()) {
      if (s.getValue().stream().allMatch(r -> Double.isNaN(r.radius()))) {
        throw new UserError(s.getKey() + ": no radius column (a PREDICT file?)");
      }
    }
    PairedResults paired = PairedResults.of(series);
    for (Map.Entry<String, Integer> d : paired.dropped().entrySet()) {
      if (d.getValue() > 0) {
        System.err.printf(
            "%s: %d of %d rows dropped (idx not in every file)%n",
            d.getKey(), d.getValue(), series.get(d.getKey()).size());
      }
    }
    String table = ComparisonTable.markdown(paired, radii);
    System.out.print(table);
    if (out != null) {
      Files.writeString(out, table);
      System.err.println("table written to " + out);
    }
    if (plot != null) {
      AccuracyPlot.write(paired.rows(), plot);
      System.err.println("plot written to " + plot);
    }
    return 0;
  }
}
