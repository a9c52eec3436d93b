package dev.smoothguard.smoothing.cli;

import dev.smoothguard.smoothing.bench.Bench;
import dev.smoothguard.smoothing.cli.common.ModelOptions;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.errors.UserError;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Noisy samples/s of (a) the smoothing graph fed host noise (L64X128MixRandom, the CPU's",
      "default), (a') the smoothing graph drawing its noise in the graph (RandomNormalLike, the GPU's",
      "default), (b) the bare classifier on pre-built noisy batches of the same size (model cost only);",
      "ratios a/b and a'/b; model FLOPs x samples/s as a fraction of the fp32 GEMM rate (ONNX Runtime",
      "MatMul 2048^3, all cores) measured in the same run; peak memory. All run in one process, one",
      "batch of each in turn."
    })
final class BenchCommand implements Callable<Integer> {
  @Mixin ModelOptions model = new ModelOptions();

  @Option(
      names = "--batch",
      defaultValue = "1000",
      description = "samples per run (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--seconds",
      defaultValue = "15",
      description = "measuring time per variant (default: ${DEFAULT-VALUE})")
  double seconds;

  @Option(
      names = "--min-batches",
      defaultValue = "3",
      description = "at least this many batches per variant (default: ${DEFAULT-VALUE})")
  int minBatches;

  @Option(
      names = "--sigma",
      defaultValue = "0.25",
      description = "noise level (default: ${DEFAULT-VALUE})")
  double sigma;

  @Option(
      names = "--memory-runs",
      defaultValue = "0",
      paramLabel = "R",
      description =
          "also run R graph runs (after min(1000, R/10) warm-up runs) and show resident memory (e.g. 10000)")
  int memoryRuns;

  @Override
  public Integer call() throws Exception {
    if (batch < 1 || seconds <= 0 || minBatches < 1) {
      throw new UserError("--batch, --seconds and --min-batches must be positive");
    }
    try (SmoothingEngine engine = model.open()) {
      var m = engine.model();
      System.out.printf(
          "bench: model %s [%d,%d,%d] -> %d classes, sha256 %s, device %s, batch %d, sigma %s,"
              + " %d cores visible, intra-op threads %s%n",
          m.name(),
          m.channels(),
          m.height(),
          m.width(),
          m.numClasses(),
          m.sha256().substring(0, 12),
          engine.device(),
          batch,
          sigma,
          Runtime.getRuntime().availableProcessors(),
          model.device.threads == 0 ? "ORT default" : model.device.threads);
      Bench.Report r = Bench.run(engine, batch, seconds, sigma, minBatches);
      System.out.printf(
          "(a)  graph, host noise     %,12.0f samples/s  %5.1f %% of GEMM peak%n",
          r.hostNoise(), 100 * r.ofPeak(r.hostNoise()));
      System.out.printf(
          "(a') graph, in-graph noise %,12.0f samples/s  %5.1f %% of GEMM peak%n",
          r.graphNoise(), 100 * r.ofPeak(r.graphNoise()));
      System.out.printf(
          "(b)  bare classifier       %,12.0f samples/s  %5.1f %% of GEMM peak  (pre-built noisy batch)%n",
          r.bare(), 100 * r.ofPeak(r.bare()));
      System.out.printf(
          "model %,.0f FLOPs/sample (MatMul/Gemm/Conv); fp32 GEMM peak %,.1f GFLOP/s (MatMul %d^3)%n",
          r.modelFlops(), r.gemmFlopsPerSecond() / 1e9, 2048);
      System.out.printf(
          "a/b = %.2f   a'/b = %.2f   peak RSS %,d kB   RSS %,d kB   device %s%n",
          r.hostNoiseOverBare(), r.graphNoiseOverBare(), r.peakRssKb(), r.rssKb(), r.device());
      if (memoryRuns > 0) {
        System.out.printf("memory check: %,d graph runs of batch %d%n", memoryRuns, batch);
        int warmup = Math.max(1, Math.min(1000, memoryRuns / 10));
        long[] rss = Bench.memoryCheck(engine, batch, sigma, warmup, memoryRuns, System.out);
        System.out.printf(
            "VmRSS after %,d warm-up runs %,d kB, after %,d more %,d kB (%+,d kB)%n",
            warmup, rss[0], memoryRuns, rss[1], rss[1] - rss[0]);
      }
    }
    return 0;
  }
}
