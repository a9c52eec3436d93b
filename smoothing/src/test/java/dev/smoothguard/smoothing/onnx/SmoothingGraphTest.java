package dev.smoothguard.smoothing.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.engine.EngineOptions;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The classifier inlined into the smoothing graph computes the same function as the bare one. */
class SmoothingGraphTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"mnist-mlp", "mnist-cnn", "mnist-vit"})
  void inlinedClassifierAgreesWithTheBareOneAtNegligibleNoise(String name) throws Exception {
    Path file = BuiltinModels.write(name, dir.resolve(name + ".onnx"));
    try (SmoothingEngine e =
        SmoothingEngine.open(file, EngineOptions.defaults().withDevice("cpu"))) {
      SplittableRandom rnd = new SplittableRandom(9);
      for (int i = 0; i < 4; i++) {
        float[] px = new float[28 * 28];
        for (int p = 0; p < px.length; p++) px[p] = (float) rnd.nextDouble();
        float[] logits = e.logits(px, 1);
        int top = 0;
        for (int k = 1; k < logits.length; k++) if (logits[k] > logits[top]) top = k;
        // sigma 1e-6 moves a logit by ~1e-5 at most here; skip images with a closer runner-up
        float gap = Float.MAX_VALUE;
        for (int k = 0; k < logits.length; k++)
          if (k != top) gap = Math.min(gap, logits[top] - logits[k]);
        if (gap < 1e-3f) continue;
        long[] counts = e.sampleCounts(new Image(1, 28, 28, px), 1e-6, OptionalLong.of(1), 20, 10);
        assertEquals(20, counts[top], name + " image " + i);
      }
    }
  }

  /** A 3x3 image with values outside [0,1], as noisy pixels are. */
  private static final float[] SMALL = {0f, 1f, 0.25f, 1.5f, -0.5f, 0.75f, 0.2f, 0.9f, 1f};

  /**
   * PyTorch 1.13: F.interpolate(SMALL.view(1,1,3,3), size=(5,5), mode=..., align_corners=False).
   */
  private static final Map<Interpolation, float[]> PYTORCH_5X5 =
      Map.of(
          Interpolation.BICUBIC,
              new float[] {
                -0.2676479f, 0.4235682f, 1.1440001f, 0.6602319f, 0.1115681f, 0.7100065f, 0.5287070f,
                0.3171999f, 0.3579809f, 0.4364451f, 1.6920000f, 0.6339996f, -0.4999999f, 0.1210005f,
                0.8700001f, 0.8665055f, 0.5440288f, 0.2488003f, 0.6306235f, 1.0052594f, -0.0168831f,
                0.4481187f, 1.0344002f, 1.0970978f, 1.0230019f
              },
          Interpolation.BILINEAR,
              new float[] {
                0.0000000f, 0.4000000f, 0.9999999f, 0.5500000f, 0.2500000f, 0.6000000f, 0.5200000f,
                0.3999999f, 0.4300000f, 0.4500000f, 1.4999999f, 0.6999999f, -0.4999999f, 0.2500001f,
                0.7500000f, 0.7199999f, 0.5680000f, 0.3400001f, 0.6760001f, 0.9000000f, 0.2000000f,
                0.4800000f, 0.9000000f, 0.9600000f, 1.0000000f
              });

  @ParameterizedTest
  @ValueSource(strings = {"bicubic", "bilinear"})
  void resizeEqualsPytorchInterpolate(String name) throws Exception {
    Interpolation mode = Interpolation.parse(name);
    GraphBuilder g = new GraphBuilder("resize", 17);
    String x = g.input("x", DataType.FLOAT, 1L, 1L, 3L, 3L);
    String y = mode.resize(g, x, g.longs("sizes", 1, 1, 5, 5));
    g.addNode("Identity", List.of(y), List.of("y"));
    g.output("y", DataType.FLOAT, 1L, 1L, 5L, 5L);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s =
            env.createSession(g.model("test").toByteArray(), new OrtSession.SessionOptions());
        OnnxTensor in =
            OnnxTensor.createTensor(env, FloatBuffer.wrap(SMALL), new long[] {1, 1, 3, 3});
        OrtSession.Result r = s.run(Map.of("x", in))) {
      FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
      float[] expected = PYTORCH_5X5.get(mode);
      for (int i = 0; i < expected.length; i++)
        assertEquals(expected[i], out.get(i), 1e-5, name + " pixel " + i);
    }
  }

  /**
   * The engine's resize option reaches the smoothing graph: a classifier on 5x5 inputs whose class
   * 1 wins iff pixel 10 exceeds 1.6 votes 1 on the 3x3 image resized bicubic (1.692, PyTorch's
   * value above) and 0 resized bilinear (1.5).
   */
  @ParameterizedTest
  @ValueSource(strings = {"bicubic", "bilinear"})
  void theEnginesResizeModeReachesTheSmoothingGraph(String name) throws Exception {
    GraphBuilder g = new GraphBuilder("pixel10", 17);
    String x = g.flatten(g.input("x", DataType.FLOAT, "N", 1L, 5L, 5L));
    float[] w = new float[2 * 25];
    w[25 + 10] = 1f;
    String logits = g.dense(x, w, new float[] {0f, -1.6f}, 25, 2);
    g.addNode("Identity", List.of(logits), List.of("logits"));
    g.output("logits", DataType.FLOAT, "N", 2L);
    Path file = Files.write(dir.resolve("pixel10.onnx"), g.model("test").toByteArray());
    EngineOptions options =
        EngineOptions.defaults().withDevice("cpu").withResize(Interpolation.parse(name));
    try (SmoothingEngine e = SmoothingEngine.open(file, options)) {
      long[] counts = e.sampleCounts(new Image(1, 3, 3, SMALL), 1e-6, OptionalLong.of(1), 10, 10);
      assertEquals(
          10, counts[name.equals("bicubic") ? 1 : 0], name + " counts " + Arrays.toString(counts));
    }
  }
}
