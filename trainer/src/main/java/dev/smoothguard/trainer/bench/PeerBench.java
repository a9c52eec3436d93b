package dev.smoothguard.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.engine.EngineOptions;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.trainer.model.VitClassifier;
import dev.smoothguard.trainer.model.VitConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * The same trained classifier, counted over noisy copies of one image, three ways in one run: (1)
 * DJL/PyTorch as users of the reference code run it (noise drawn by PyTorch, forward without
 * gradients, argmax on the host); (2) ONNX Runtime's bare classifier on exactly the noisy batches
 * PyTorch saw in a replay (checks the two agree); (3) the engine's smoothing graph (noise inside
 * the graph). Each phase runs for the same wall time after one warm-up batch.
 */
public final class PeerBench {
  /** Samples per second of each phase, the class agreement of (1) and (2), and peak memory. */
  public record Result(
      double pytorch,
      double ortSameBatches,
      double engine,
      double agreement,
      long peakRssAfterPytorchMb,
      long peakRssAfterEngineMb,
      int batch,
      int threads,
      String device) {
    public double ratio() {
      return engine / pytorch;
    }
  }

  private PeerBench() {}

  public static Result run(
      VitClassifier model,
      NDManager manager,
      Path onnx,
      Image x,
      double sigma,
      int batch,
      double seconds,
      int threads)
      throws Exception {
    VitConfig cfg = model.config();
    long[] shape = {batch, cfg.channels(), cfg.imageSize(), cfg.imageSize()};
    // (1) PyTorch: noise on the PyTorch side (torch.randn_like in the reference code)
    long samples = 0;
    int kept = 0;
    List<float[]> replay = new ArrayList<>();
    List<long[]> torchClasses = new ArrayList<>();
    pytorchBatch(model, manager, x, sigma, shape, null); // warm-up
    long start = System.nanoTime();
    while ((System.nanoTime() - start) / 1e9 < seconds) {
      float[][] keep = kept < 3 ? new float[1][] : null;
      long[] classes = pytorchBatch(model, manager, x, sigma, shape, keep);
      if (keep != null) {
        replay.add(keep[0]);
        torchClasses.add(classes);
        kept++;
      }
      samples += batch;
    }
    double pytorch = samples / ((System.nanoTime() - start) / 1e9);
    long rssTorch = peakRssMb();

    EngineOptions options =
        new EngineOptions("cpu", threads, OptionalInt.empty(), OptionalInt.empty());
    try (SmoothingEngine engine = SmoothingEngine.open(onnx, options)) {
      // (2) ONNX Runtime bare classifier on the batches PyTorch classified: same inputs, same
      // answers?
      long agree = 0, compared = 0;
      for (int i = 0; i < replay.size(); i++) {
        float[] logits = engine.logits(replay.get(i), batch);
        int k = logits.length / batch;
        for (int r = 0; r < batch; r++) {
          int best = 0;
          for (int c = 1; c < k; c++) if (logits[r * k + c] > logits[r * k + best]) best = c;
          if (best == torchClasses.get(i)[r]) agree++;
          compared++;
        }
      }
      float[] fixed = replay.get(0);
      engine.logits(fixed, batch);
      samples = 0;
      start = System.nanoTime();
      while ((System.nanoTime() - start) / 1e9 < seconds) {
        engine.logits(fixed, batch);
        samples += batch;
      }
      double ortBare = samples / ((System.nanoTime() - start) / 1e9);
      // (3) the smoothing graph: one image in, class counts out
      engine.sampleCounts(x, sigma, OptionalLong.empty(), batch, batch);
      samples = 0;
      start = System.nanoTime();
      while ((System.nanoTime() - start) / 1e9 < seconds) {
        engine.sampleCounts(x, sigma, OptionalLong.empty(), batch, batch);
        samples += batch;
      }
      double graph = samples / ((System.nanoTime() - start) / 1e9);
      return new Result(
          pytorch,
          ortBare,
          graph,
          (double) agree / Math.max(1, compared),
          rssTorch,
          peakRssMb(),
          batch,
          threads,
          engine.device());
    }
  }

  /** One PyTorch batch: noisy copies of x, forward (no gradients), argmax per row. */
  private static long[] pytorchBatch(
      VitClassifier model,
      NDManager manager,
      Image x,
      double sigma,
      long[] shape,
      float[][] keepInput) {
    try (NDManager sm = manager.newSubManager()) {
      NDArray img = sm.create(x.pixels(), new Shape(1, shape[1], shape[2], shape[3]));
      NDArray noisy =
          sm.randomNormal(0f, (float) sigma, new Shape(shape), DataType.FLOAT32).add(img);
      if (keepInput != null) keepInput[0] = noisy.toFloatArray();
      NDArray logits =
          model.forward(new ParameterStore(sm, false), new NDList(noisy), false).singletonOrThrow();
      return logits.argMax(1).toLongArray();
    }
  }

  /** The process's peak resident set (VmHWM), in MB; -1 where /proc is not available. */
  static long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    } catch (Exception e) {
      return -1;
    }
    return -1;
  }

  /** A reproducible stand-in image when no data is given. */
  public static Image randomImage(VitConfig cfg, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] px = new float[cfg.channels() * cfg.imageSize() * cfg.imageSize()];
    for (int i = 0; i < px.length; i++) px[i] = (float) rng.nextDouble();
    return new Image(cfg.channels(), cfg.imageSize(), cfg.imageSize(), px);
  }
}
