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
import dev.smoothguard.trainer.export.VitOnnx;
import dev.smoothguard.trainer.model.VitClassifier;
import dev.smoothguard.trainer.model.VitConfig;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported ONNX graph computes the same logits as the DJL model (max abs diff < 1e-4). */
class OnnxParityTest {
  private static final double TOLERANCE = 1e-4;
  @TempDir Path dir;

  @Test
  void tinyAfterTrainingStepsMatchesOnnxRuntimeThroughTheEngine() throws Exception {
    String data = IdxFiles.write(dir, "train", 64, 28, 64, 10, 11);
    Path ft = dir.resolve("ft");
    Cli f = Cli.run("train", "finetune", "--from-scratch", "--data", data, "--sigma", "0.25",
        "--epochs", "1", "--batch", "16", "--lr", "3e-3", "--out", ft.toString());
    assertEquals(0, f.exitCode(), f.err());
    Path onnx = dir.resolve("tiny.onnx");
    assertEquals(0, Cli.run("export", "--checkpoint", ft.toString(), "--out", onnx.toString()).exitCode());

    int batch = 5;
    float[] x = random(batch * 28 * 28, 5);
    float[] expected;
    try (NDManager m = NDManager.newBaseManager()) {
      var meta = dev.smoothguard.trainer.train.RunMeta.read(ft);
      VitClassifier model = dev.smoothguard.trainer.train.Finetuning.load(ft, meta, m);
      expected = djlLogits(model, m, x, batch);
    }
    try (SmoothingEngine engine = SmoothingEngine.open(onnx, EngineOptions.defaults())) {
      assertEquals(10, engine.model().numClasses());
      float[] actual = engine.logits(x, batch);
      assertClose(expected, actual);
    }
  }

  @Test
  void randomlyInitialisedVitB16MatchesOnnxRuntime() throws Exception {
    VitConfig cfg = VitConfig.VIT_B16;
    int batch = 1;
    float[] x = random(batch * 3 * 224 * 224, 9);
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
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {batch, 3, 224, 224});
        OrtSession.Result r = s.run(Map.of(VitOnnx.INPUT, in))) {
      float[][] out = (float[][]) r.get(0).getValue();
      assertEquals(1000, out[0].length);
      assertClose(expected, out[0]);
    }
  }

  private static float[] djlLogits(VitClassifier model, NDManager m, float[] x, int batch) {
    VitConfig c = model.config();
    try (NDManager sm = m.newSubManager()) {
      var in = sm.create(x, new Shape(batch, c.channels(), c.imageSize(), c.imageSize()));
      return model.forward(new ParameterStore(sm, false), new NDList(in), false).singletonOrThrow().toFloatArray();
    }
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
    for (int i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(expected[i] - actual[i]));
    assertTrue(max < TOLERANCE, "max abs logit difference " + max);
    double scale = 0;
    for (float v : expected) scale = Math.max(scale, Math.abs(v));
    assertTrue(scale > 1e-3, "logits are not trivially zero: " + scale);
  }
}
