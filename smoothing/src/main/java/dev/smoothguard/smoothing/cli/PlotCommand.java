package dev.smoothguard.smoothing.cli;

import dev.smoothguard.smoothing.report.AccuracyPlot;
import dev.smoothguard.smoothing.report.CertifiedAccuracy;
import dev.smoothguard.smoothing.report.ResultRow;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "plot",
    mixinStandardHelpOptions = true,
    description =
        "Certified accuracy vs radius from one or more certify TSVs, overlaid in one PNG.")
final class PlotCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "results.tsv", description = "certify outputs")
  List<Path> files;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "x.png",
      description = "PNG to write (.png added if missing)")
  Path out;

  @Override
  public Integer call() throws Exception {
    Map<String, List<ResultRow>> series = ResultFiles.read(files);
    AccuracyPlot.write(series, out);
    for (Map.Entry<String, List<ResultRow>> s : series.entrySet()) {
      System.out.println(
          s.getKey() + " (" + s.getValue().size() + " images), radius in pixel units [0,1]");
      System.out.print(CertifiedAccuracy.table(s.getValue()));
    }
    System.err.println("plot written to " + out);
    return 0;
  }
}
