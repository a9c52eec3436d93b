package dev.smoothguard.demo.cli;

import dev.smoothguard.demo.BenchStream;
import dev.smoothguard.smoothing.cli.common.InstallationPaths;
import dev.smoothguard.smoothing.cli.common.SamplingDefaults;
import dev.smoothguard.smoothing.cli.common.SelectionOptions;
import dev.smoothguard.smoothing.errors.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "bench-stream",
    mixinStandardHelpOptions = true,
    description = {
      "Images/s end to end on the embedded broker vs the engine alone on the same images,",
      "same engine and settings, in one run; prints the ratio (goal >= 0.8) and peak memory."
    })
final class BenchStreamCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      defaultValue = "models/fashion-mnist-dmae-s025.onnx",
      description = "default: ${DEFAULT-VALUE}")
  String model;

  @Option(
      names = "--data",
      defaultValue = "folder:data/fashion-mnist-sample",
      description = "default: ${DEFAULT-VALUE}")
  String data;

  @Option(
      names = "--count",
      defaultValue = "40",
      description = "timed images (default: ${DEFAULT-VALUE})")
  int count;

  @Option(
      names = "--warmup",
      defaultValue = "10",
      description = "untimed images first (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(
      names = "--n",
      defaultValue = SamplingDefaults.N_DEMO,
      description = "samples per image (default: ${DEFAULT-VALUE})")
  int n;

  @Mixin SelectionOptions selection = new SelectionOptions();

  @Option(names = "--sigma", defaultValue = "0.25", description = "default: ${DEFAULT-VALUE}")
  double sigma;

  @Option(
      names = "--ort-threads",
      defaultValue = "0",
      description = "ONNX Runtime intra-op threads (0 = all cores; default: ${DEFAULT-VALUE})")
  int ortThreads;

  @Option(
      names = "--guarantee",
      defaultValue = "exactly_once_v2",
      description = "exactly_once_v2 or at_least_once (default: ${DEFAULT-VALUE})")
  String guarantee;

  @Override
  public Integer call() throws Exception {
    if (count < 1 || warmup < 0) throw new UserError("--count must be >= 1 and --warmup >= 0");
    String spec = InstallationPaths.resolveDataSpec(data);
    String m = model.startsWith("builtin:") ? model : InstallationPaths.resolve(model).toString();
    if (!m.startsWith("builtin:") && !Files.isRegularFile(Path.of(m))) {
      throw new UserError("model " + m + " not found; pass --model FILE.onnx or builtin:mnist-cnn");
    }
    BenchStream.run(
        new BenchStream.Options(
            m, spec, count, n, selection.n0, sigma, warmup, ortThreads, guarantee),
        System.out);
    return 0;
  }
}
