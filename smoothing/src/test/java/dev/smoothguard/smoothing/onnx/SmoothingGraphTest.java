package dev.smoothguard.smoothing.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.engine.EngineOptions;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The classifier inlined into the smoothing graph computes the same function as the bare one. */
class SmoothingGraphTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"mnist-mlp", "mnist-cnn", "mnist-vit"})
  void inlinedClassifierAgreesWithTheBareOneAtNegligibleNoise(String name) throws Exception {
    Path file = BuiltinModels.write(name, dir.resolve(name + ".onnx"));
    try (SmoothingEngine e = SmoothingEngine.open(file, EngineOptions.defaults().withDevice("cpu"))) {
      SplittableRandom rnd = new SplittableRandom(9);
      for (int i = 0; i < 4; i++) {
        float[] px = new float[28 * 28];
        for (int p = 0; p < px.length; p++) px[p] = (float) rnd.nextDouble();
        float[] logits = e.logits(px, 1);
        int top = 0;
        for (int k = 1; k < logits.length; k++) if (logits[k] > logits[top]) top = k;
        // sigma 1e-6 moves a logit by ~1e-5 at most here; skip images with a closer runner-up
        float gap = Float.MAX_VALUE;
        for (int k = 0; k < logits.length; k++) if (k != top) gap = Math.min(gap, logits[top] - logits[k]);
        if (gap < 1e-3f) continue;
        long[] counts = e.sampleCounts(new Image(1, 28, 28, px), 1e-6, OptionalLong.of(1), 20, 10);
        assertEquals(20, counts[top], name + " image " + i);
      }
    }
  }
}
