package dev.smoothguard.trainer.cli;

import ai.djl.ndarray.NDManager;
import dev.smoothguard.smoothing.data.Datasets;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.trainer.bench.PeerBench;
import dev.smoothguard.trainer.export.Exporter;
import dev.smoothguard.trainer.model.VitClassifier;
import dev.smoothguard.trainer.train.Finetuning;
import dev.smoothguard.trainer.train.RunMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "The same fine-tuned classifier on noisy copies of one image: DJL/PyTorch (no gradients) vs the engine's smoothing graph on ONNX Runtime; samples/s, ratio, peak memory.")
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, description = "fine-tuning checkpoint directory")
  Path checkpoint;

  @Option(
      names = "--batch",
      defaultValue = "1000",
      description = "noisy copies per forward pass (default ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--seconds",
      defaultValue = "10",
      description = "measuring time per phase (default ${DEFAULT-VALUE})")
  double seconds;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "intra-op threads for both PyTorch and ONNX Runtime (default ${DEFAULT-VALUE})")
  int threads;

  @Option(
      names = "--data",
      description = "take the image from this dataset (default: a random image)")
  String data;

  @Option(names = "--index", defaultValue = "0", description = "image index in --data")
  int index;

  @Option(names = "--sigma", description = "noise level (default: the checkpoint's)")
  Double sigma;

  @Override
  public Integer call() throws Exception {
    Checks.positive("--batch", batch);
    Checks.positive("--seconds", seconds);
    RunMeta meta = RunMeta.read(checkpoint);
    double s = sigma != null ? sigma : meta.sigma();
    Path dir = Files.createTempDirectory("smoothguard-bench");
    Path onnx = dir.resolve("model.onnx");
    try (NDManager manager = NDManager.newBaseManager()) {
      VitClassifier model = Finetuning.load(checkpoint, meta, manager);
      Exporter.export(checkpoint, onnx, "bench", "bench", null, null);
      Image x =
          data == null
              ? PeerBench.randomImage(model.config(), 1)
              : Datasets.open(data).get(index).image();
      model.config().checkImage(x.channels(), x.height(), x.width(), "the bench image");
      PeerBench.Result r = PeerBench.run(model, manager, onnx, x, s, batch, seconds, threads);
      System.out.printf(
          "classifier %s (%s, sigma=%s), batch %d, %d threads, engine device %s%n",
          checkpoint, meta.config(), s, r.batch(), r.threads(), r.device());
      System.out.printf(
          "  DJL/PyTorch (noise + forward, no grad)    %10.0f samples/s   peak RSS %d MB%n",
          r.pytorch(), r.peakRssAfterPytorchMb());
      System.out.printf(
          "  ONNX Runtime bare, PyTorch's own batches  %10.0f samples/s   class agreement %.4f%n",
          r.ortSameBatches(), r.agreement());
      System.out.printf(
          "  engine smoothing graph (noise in graph)   %10.0f samples/s   peak RSS %d MB (process, cumulative)%n",
          r.engine(), r.peakRssAfterEngineMb());
      System.out.printf("  ratio engine / PyTorch: %.2fx (goal >= 1.5x on CPU)%n", r.ratio());
    } finally {
      Files.deleteIfExists(onnx);
      Files.deleteIfExists(dir.resolve("model.json"));
      Files.deleteIfExists(dir);
    }
    return 0;
  }
}
