package dev.smoothguard.smoothing.cli;

import dev.smoothguard.smoothing.cli.common.ModelOptions;
import dev.smoothguard.smoothing.cli.common.SamplingOptions;
import dev.smoothguard.smoothing.cli.common.SelectionOptions;
import dev.smoothguard.smoothing.engine.Mode;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import dev.smoothguard.smoothing.report.AccuracyPlot;
import dev.smoothguard.smoothing.report.CertifiedAccuracy;
import dev.smoothguard.smoothing.report.ResultsTsv;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "certify",
    mixinStandardHelpOptions = true,
    description = {
      "CERTIFY every image of a dataset (Cohen et al. 2019): class + certified L2 radius.",
      "Writes Cohen's TSV (idx label predict radius correct time), prints certified accuracy.",
      "Radii are in pixel units [0,1] of the image as the noise saw it (before any resize)."
    })
final class CertifyCommand implements Callable<Integer> {
  @Mixin ModelOptions model = new ModelOptions();
  @Mixin DatasetOptions data = new DatasetOptions();

  @Mixin SamplingOptions sampling = new SamplingOptions();
  @Mixin SelectionOptions selection = new SelectionOptions();

  @Option(
      names = "--target-radius",
      paramLabel = "r",
      description = "adaptive mode: decide 'certified at r?' with as few samples as possible")
  Double targetRadius;

  @Option(
      names = "--out",
      paramLabel = "results.tsv",
      description = "TSV file (default: stdout, before the table)")
  Path out;

  @Option(
      names = "--plot",
      paramLabel = "curve.png",
      description = "also draw certified accuracy vs radius")
  Path plot;

  @Override
  public Integer call() throws Exception {
    data.checkFlags(); // before the model loads: a bad range fails at once
    SmoothingSettings s =
        sampling.settings(
            selection.n0(targetRadius != null),
            targetRadius == null ? Mode.CERTIFY : Mode.TARGET,
            targetRadius == null ? OptionalDouble.empty() : OptionalDouble.of(targetRadius),
            model);
    try (SmoothingEngine engine = model.open()) {
      DatasetRunner.Run run =
          DatasetRunner.run(
              engine, data, s, out, ResultsTsv.CERTIFY_HEADER, ResultsTsv::certifyLine, System.out);
      StringBuilder report = new StringBuilder(DatasetRunner.summary(engine, data, s, run));
      if (targetRadius != null) {
        long yes = run.certificates().stream().filter(c -> c.certifiedAtTarget()).count();
        long yesCorrect = 0;
        for (int i = 0; i < run.rows().size(); i++) {
          if (run.certificates().get(i).certifiedAtTarget() && run.rows().get(i).correct())
            yesCorrect++;
        }
        report.append(
            String.format(
                "target radius %s: certified %d of %d (correct and certified: %.4f)%n",
                targetRadius,
                yes,
                run.rows().size(),
                yesCorrect / (double) Math.max(1, run.rows().size())));
      }
      report.append("radius = L2 radius in pixel units [0,1] of the image as the noise saw it\n");
      report.append(CertifiedAccuracy.table(run.rows()));
      System.out.print(report);
      if (plot != null) {
        AccuracyPlot.write(
            Map.of(out != null ? out.getFileName().toString() : "certify", run.rows()), plot);
        System.err.println("plot written to " + plot);
      }
    }
    return 0;
  }
}
