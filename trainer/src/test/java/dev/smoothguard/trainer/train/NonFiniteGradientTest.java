package dev.smoothguard.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.smoothguard.trainer.optim.AdamW;
import dev.smoothguard.trainer.optim.ParameterSpec;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A step with a non-finite gradient is skipped and must not poison the steps after it. The
 * regression: the loop cleared gradients with g − g, which leaves NaN where g held NaN or ±∞, so
 * PyTorch accumulated every later gradient into a NaN and every later step was skipped.
 */
class NonFiniteGradientTest {
  @Test
  void aSkippedStepLeavesCleanGradientsForTheNextOne() {
    try (NDManager m = NDManager.newBaseManager()) {
      Parameter w = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
      w.setArray(m.create(new float[] {0f, 1f, 4f}));
      w.getArray().setRequiresGradient(true);
      List<Pair<String, Parameter>> params = List.of(new Pair<>("w", w));
      AdamW opt =
          AdamW.builder()
              .learningRate(Tracker.fixed(0.1f))
              .groups(List.of(new Pair<>(w, new ParameterSpec("w", 1, 1.0, 0.0))))
              .build();

      // Σ√w is finite (3) but its gradient 1/(2√w) is +∞ at w = 0, as in the stuck run
      float loss = backward(m, w, x -> x.sqrt().sum());
      assertEquals(3f, loss, 1e-6);
      TrainLoop.Update skipped = TrainLoop.applyUpdate(params, opt, loss, 0);
      assertFalse(skipped.applied());
      assertEquals(List.of("w"), skipped.nonFinite());
      assertArrayEquals(new float[] {0f, 1f, 4f}, w.getArray().toFloatArray(), "weights kept");
      assertEquals(0, opt.step("w"));
      try (NDArray g = w.getArray().getGradient()) {
        assertArrayEquals(new float[] {0f, 0f, 0f}, g.toFloatArray(), "∞ cleared to 0, not NaN");
      }

      // the next, finite step: gradient 2w, applied
      float next = backward(m, w, x -> x.square().sum());
      try (NDArray g = w.getArray().getGradient()) {
        assertArrayEquals(new float[] {0f, 2f, 8f}, g.toFloatArray(), "only this step's gradient");
      }
      TrainLoop.Update applied = TrainLoop.applyUpdate(params, opt, next, 0);
      assertTrue(applied.applied(), "the step after a skipped one is applied");
      assertTrue(applied.nonFinite().isEmpty());
      assertEquals(Math.sqrt(68), applied.gradientNorm(), 1e-5);
      assertEquals(1, opt.step("w"));
    }
  }

  @Test
  void clearingOverwritesNanAndInfinities() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray g =
          m.create(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2f});
      Gradients.clear(g);
      assertArrayEquals(new float[] {0f, 0f, 0f, 0f}, g.toFloatArray());
    }
  }

  @Test
  void squaredNormsDoNotOverflowInFloat32() {
    try (NDManager m = NDManager.newBaseManager()) {
      // 1e20² = 1e40 is beyond float32 (3.4e38) but a finite gradient
      NDArray g = m.create(new float[] {1e20f, 0f});
      double[] sq = Gradients.squaredNorms(List.of(g));
      assertEquals(1e40, sq[0], 1e34);
      assertTrue(Gradients.nonFinite(List.of("g"), sq).isEmpty());
    }
  }

  private static float backward(NDManager m, Parameter w, Function<NDArray, NDArray> lossOf) {
    try (NDManager step = m.newSubManager();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray loss = lossOf.apply(w.getArray());
      loss.attach(step);
      gc.backward(loss);
      return loss.getFloat();
    }
  }
}
