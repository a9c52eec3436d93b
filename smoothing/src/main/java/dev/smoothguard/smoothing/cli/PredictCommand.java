package dev.smoothguard.smoothing.cli;

import dev.smoothguard.smoothing.engine.Mode;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import dev.smoothguard.smoothing.report.ResultRow;
import dev.smoothguard.smoothing.report.ResultsTsv;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true,
    description = {"PREDICT every image of a dataset (Cohen et al. 2019): the smoothed class, or abstain",
        "(-1) when a two-sided binomial test cannot separate the top two classes at level alpha.",
        "Writes Cohen's TSV (idx label predict correct time) and prints accuracy and abstain rate."})
final class PredictCommand implements Callable<Integer> {
  @Mixin ModelOptions model = new ModelOptions();
  @Mixin DatasetOptions data = new DatasetOptions();

  @Option(names = "--sigma", required = true, paramLabel = "S", description = "noise standard deviation, pixel units")
  double sigma;

  @Option(names = "--n", defaultValue = "100000", description = "samples (default: ${DEFAULT-VALUE})")
  int n;

  @Option(names = "--alpha", defaultValue = "0.001", description = "failure probability (default: ${DEFAULT-VALUE})")
  double alpha;

  @Option(names = "--batch", defaultValue = "1000", description = "noisy samples per graph run (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--seed", paramLabel = "X", description = {
      "fixed noise seed, any 64-bit integer; default: fresh noise (SecureRandom) per run.",
      "CPU: noise drawn in Java (L64X128MixRandom, one stream per sample), the same counts for a",
      "seed whatever --threads and --batch. CUDA: noise drawn in the graph (cuRAND Philox), whose",
      "seed is a float32: only 0..16777216, others are refused."})
  Long seed;

  @Option(names = "--out", paramLabel = "results.tsv", description = "TSV file (default: stdout, before the summary)")
  Path out;

  @Override
  public Integer call() throws Exception {
    SmoothingSettings s = new SmoothingSettings(sigma, 1, n, alpha, batch, Mode.PREDICT,
        OptionalDouble.empty(), seed == null ? OptionalLong.empty() : OptionalLong.of(seed));
    try (SmoothingEngine engine = model.open()) {
      DatasetRunner.Run run = DatasetRunner.run(engine, data, s, out, ResultsTsv.PREDICT_HEADER,
          ResultsTsv::predictLine, System.out);
      double accuracy = run.rows().stream().filter(ResultRow::correct).count()
          / (double) Math.max(1, run.rows().size());
      System.out.print(DatasetRunner.summary(engine, data, s, run).replace("n0 1, ", ""));
      System.out.printf("accuracy of the smoothed classifier (abstain = wrong): %.4f%n", accuracy);
    }
    return 0;
  }
}
