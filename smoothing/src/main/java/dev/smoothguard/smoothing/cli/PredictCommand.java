package dev.smoothguard.smoothing.cli;

import dev.smoothguard.smoothing.cli.common.ModelOptions;
import dev.smoothguard.smoothing.cli.common.SamplingOptions;
import dev.smoothguard.smoothing.engine.Mode;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import dev.smoothguard.smoothing.report.ResultRow;
import dev.smoothguard.smoothing.report.ResultsTsv;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
      "PREDICT every image of a dataset (Cohen et al. 2019): the smoothed class, or abstain",
      "(-1) when a two-sided binomial test cannot separate the top two classes at level alpha.",
      "Writes Cohen's TSV (idx label predict correct time) and prints accuracy and abstain rate."
    })
final class PredictCommand implements Callable<Integer> {
  @Mixin ModelOptions model = new ModelOptions();
  @Mixin DatasetOptions data = new DatasetOptions();

  @Mixin SamplingOptions sampling = new SamplingOptions();

  @Option(
      names = "--out",
      paramLabel = "results.tsv",
      description = "TSV file (default: stdout, before the summary)")
  Path out;

  @Override
  public Integer call() throws Exception {
    data.checkFlags(); // before the model loads: a bad range fails at once
    // PREDICT has no selection step: n0 is unused (1 satisfies the settings' check)
    SmoothingSettings s = sampling.settings(1, Mode.PREDICT, OptionalDouble.empty(), model);
    try (SmoothingEngine engine = model.open()) {
      DatasetRunner.Run run =
          DatasetRunner.run(
              engine, data, s, out, ResultsTsv.PREDICT_HEADER, ResultsTsv::predictLine, System.out);
      double accuracy =
          run.rows().stream().filter(ResultRow::correct).count()
              / (double) Math.max(1, run.rows().size());
      System.out.print(DatasetRunner.summary(engine, data, s, run));
      System.out.printf("accuracy of the smoothed classifier (abstain = wrong): %.4f%n", accuracy);
    }
    return 0;
  }
}
