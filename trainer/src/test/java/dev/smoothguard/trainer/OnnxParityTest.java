package dev.smoothguard.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.smoothguard.smoothing.engine.EngineOptions;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.trainer.export.DjlVit;
import dev.smoothguard.trainer.export.Preprocessing;
import dev.smoothguard.trainer.export.VitOnnx;
import dev.smoothguard.trainer.export.VitWeights;
import dev.smoothguard.trainer.export.VitWeights.Pooling;
import dev.smoothguard.trainer.model.VitClassifier;
import dev.smoothguard.trainer.model.VitConfig;
import dev.smoothguard.trainer.train.Finetuning;
import dev.smoothguard.trainer.train.RunMeta;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported ONNX graph computes the same logits as the DJL model (max abs diff < 1e-4, same top
 * class) on clean pixels and on the noisy ones the smoothing graph feeds it (x + σε, far outside
 * [0,1]).
 */
class OnnxParityTest {
  private static final double TOLERANCE = 1e-4;
  @TempDir Path dir;

  @Test
  void tinyAfterTrainingStepsMatchesOnnxRuntimeThroughTheEngine() throws Exception {
    String data = IdxFiles.write(dir, "train", 64, 28, 64, 10, 11);
    Path ft = dir.resolve("ft");
    // a class-token model (its encoder ends in the final norm), re-pooled below by mean of
    // patches; the trainer's own global-pool export is checked in PoolingExportTest
    Cli f =
        Cli.run(
            "train",
            "finetune",
            "--from-scratch",
            "--data",
            data,
            "--sigma",
            "0.25",
            "--epochs",
            "1",
            "--batch",
            "16",
            "--lr",
            "3e-3",
            "--no-global-pool",
            "--out",
            ft.toString());
    assertEquals(0, f.exitCode(), f.err());
    Path onnx = dir.resolve("tiny.onnx");
    assertEquals(
        0, Cli.run("export", "--checkpoint", ft.toString(), "--out", onnx.toString()).exitCode());

    // what the smoothing graph feeds the model: clean pixels and x + sigma*eps far outside [0,1]
    int clean = 5;
    float[] x = withNoisyCopies(random(clean * 28 * 28, 5), 0.25, 0.5, 1.0);
    int batch = x.length / (28 * 28);
    float[] expected;
    float[] meanPooled;
    Path pooledOnnx = dir.resolve("tiny-mean.onnx");
    try (NDManager m = NDManager.newBaseManager()) {
      var meta = RunMeta.read(ft);
      VitClassifier model = Finetuning.load(ft, meta, m);
      expected = djlLogits(model, m, x, batch);
      meanPooled = djlMeanPooledLogits(model, m, x, batch);
      VitConfig c = model.config();
      // the same trained weights, pooled as MAE/DMAE fine-tuning does: VitOnnx's other path
      VitWeights pooled =
          DjlVit.weights(model, model.encoder().norm(), Pooling.MEAN_OF_PATCHES, null);
      Files.write(
          pooledOnnx,
          VitOnnx.export(pooled, Preprocessing.normaliseOnly(c.imageSize(), c.mean(), c.std()))
              .toByteArray());
    }
    try (SmoothingEngine engine = SmoothingEngine.open(onnx, EngineOptions.defaults())) {
      assertEquals(10, engine.model().numClasses());
      float[] actual = engine.logits(x, batch);
      assertClose(expected, actual);
      assertSameClasses(expected, actual, 10);
    }
    try (SmoothingEngine engine = SmoothingEngine.open(pooledOnnx, EngineOptions.defaults())) {
      float[] actual = engine.logits(x, batch);
      assertClose(meanPooled, actual);
      assertSameClasses(meanPooled, actual, 10);
    }
  }

  @Test
  void randomlyInitialisedVitB16MatchesOnnxRuntime() throws Exception {
    VitConfig cfg = VitConfig.VIT_B16;
    // one clean image and one noisy copy (sigma 0.5, far outside [0,1])
    float[] x = withNoisyCopies(random(3 * 224 * 224, 9), 0.5);
    int batch = 2;
    Path onnx = dir.resolve("vit-b16.onnx");
    float[] expected;
    try (NDManager m = NDManager.newBaseManager()) {
      VitClassifier model = new VitClassifier(cfg, 1000);
      model.initialize(m, DataType.FLOAT32, new Shape(1, 3, 224, 224));
      expected = djlLogits(model, m, x, batch);
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(onnx))) {
        VitOnnx.export(model).writeTo(out); // streamed: the weights are ~350 MB
      }
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
        OnnxTensor in =
            OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {batch, 3, 224, 224});
        OrtSession.Result r = s.run(Map.of(VitOnnx.INPUT, in))) {
      float[][] out = (float[][]) r.get(0).getValue();
      assertEquals(1000, out[0].length);
      float[] actual = new float[batch * 1000];
      for (int i = 0; i < batch; i++) System.arraycopy(out[i], 0, actual, i * 1000, 1000);
      assertClose(expected, actual);
      assertSameClasses(expected, actual, 1000);
    }
  }

  private static float[] djlLogits(VitClassifier model, NDManager m, float[] x, int batch) {
    VitConfig c = model.config();
    try (NDManager sm = m.newSubManager()) {
      var in = sm.create(x, new Shape(batch, c.channels(), c.imageSize(), c.imageSize()));
      return model
          .forward(new ParameterStore(sm, false), new NDList(in), false)
          .singletonOrThrow()
          .toFloatArray();
    }
  }

  /** Head on the mean of the (normed) patch tokens, class token excluded, in DJL. */
  private static float[] djlMeanPooledLogits(
      VitClassifier model, NDManager m, float[] x, int batch) {
    VitConfig c = model.config();
    try (NDManager sm = m.newSubManager()) {
      var in = sm.create(x, new Shape(batch, c.channels(), c.imageSize(), c.imageSize()));
      ParameterStore ps = new ParameterStore(sm, false);
      var tokens = model.encoder().forward(ps, new NDList(in), false).singletonOrThrow();
      var pooled = tokens.get(":, 1:, :").mean(new int[] {1});
      return model.head().forward(ps, new NDList(pooled), false).singletonOrThrow().toFloatArray();
    }
  }

  /** The images followed by one copy of all of them per sigma, each pixel plus N(0, sigma²). */
  private static float[] withNoisyCopies(float[] images, double... sigmas) {
    float[] out = Arrays.copyOf(images, images.length * (1 + sigmas.length));
    Random rng = new Random(17);
    boolean outside = false;
    for (int s = 0; s < sigmas.length; s++) {
      for (int i = 0; i < images.length; i++) {
        float v = (float) (images[i] + sigmas[s] * rng.nextGaussian());
        outside |= v < 0 || v > 1;
        out[(s + 1) * images.length + i] = v;
      }
    }
    assertTrue(sigmas.length == 0 || outside, "noisy inputs leave [0,1]");
    return out;
  }

  /**
   * Same top class on every row, what a vote of the smoothed classifier counts; a row whose top two
   * logits are within the tolerance is a tie at float precision and is not held to it.
   */
  private static void assertSameClasses(float[] expected, float[] actual, int classes) {
    int rows = expected.length / classes;
    int checked = 0;
    for (int row = 0; row < rows; row++) {
      int top = argmax(expected, row, classes);
      float runnerUp = Float.NEGATIVE_INFINITY;
      for (int k = 0; k < classes; k++)
        if (k != top) runnerUp = Math.max(runnerUp, expected[row * classes + k]);
      if (expected[row * classes + top] - runnerUp <= TOLERANCE) continue;
      assertEquals(top, argmax(actual, row, classes), "top class of row " + row);
      checked++;
    }
    assertTrue(
        checked >= rows - 1, "only " + checked + " of " + rows + " rows had a clear top class");
  }

  private static int argmax(float[] logits, int row, int classes) {
    int best = 0;
    for (int k = 1; k < classes; k++)
      if (logits[row * classes + k] > logits[row * classes + best]) best = k;
    return best;
  }

  private static float[] random(int n, long seed) {
    Random rng = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = rng.nextFloat();
    return x;
  }

  private static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    double max = 0;
    for (int i = 0; i < expected.length; i++)
      max = Math.max(max, Math.abs(expected[i] - actual[i]));
    assertTrue(max < TOLERANCE, "max abs logit difference " + max);
    System.out.printf("parity: max |dlogit| = %.2e over %d logits%n", max, expected.length);
    double scale = 0;
    for (float v : expected) scale = Math.max(scale, Math.abs(v));
    assertTrue(scale > 1e-3, "logits are not trivially zero: " + scale);
  }
}
