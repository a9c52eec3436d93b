package dev.smoothguard.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/**
 * Stochastic depth: whole samples dropped in training with the right expectation; identity
 * otherwise.
 */
class DropPathTest {
  @Test
  void dropsWholeSamplesAndKeepsTheExpectation() {
    int b = 4000;
    double rate = 0.3;
    Engine.getInstance().setRandomSeed(17);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.ones(new Shape(b, 3, 2));
      float[] y = DropPath.apply(x, rate, true).toFloatArray();
      int kept = 0;
      for (int i = 0; i < b; i++) {
        float first = y[i * 6];
        for (int j = 1; j < 6; j++)
          assertEquals(first, y[i * 6 + j], 0f, "sample " + i + " is dropped or kept whole");
        if (first == 0f) continue;
        assertEquals(1 / (1 - rate), first, 1e-6, "kept branches are scaled by 1/(1-rate)");
        kept++;
      }
      // kept ~ Binomial(4000, 0.7): sd 29; 6 sd either side cannot fail by chance
      double sd = Math.sqrt(b * rate * (1 - rate));
      assertTrue(Math.abs(kept - b * (1 - rate)) < 6 * sd, "kept " + kept);
      // so the mean of the branch stays 1 up to the same relative error
      assertEquals(1.0, kept / (b * (1 - rate)), 6 * sd / (b * (1 - rate)));
      assertArrayEquals(
          x.toFloatArray(),
          DropPath.apply(x, rate, false).toFloatArray(),
          0f,
          "identity at inference");
    }
  }

  @Test
  void ratesRiseLinearlyOverTheBlocks() {
    assertEquals(0, DropPath.rateOf(0, 6, 0.1));
    assertEquals(0.04, DropPath.rateOf(2, 6, 0.1), 1e-12);
    assertEquals(0.1, DropPath.rateOf(5, 6, 0.1), 1e-12);
    assertEquals(0, DropPath.rateOf(0, 1, 0.1));
  }

  @Test
  void inferenceOfAModelWithDropPathIsThatOfTheSameWeightsWithout() {
    VitConfig cfg = VitConfig.TINY;
    try (NDManager m = NDManager.newBaseManager()) {
      float[] with = logits(m, new VitClassifier(cfg, 10, 0.5, true), cfg, false);
      float[] without = logits(m, new VitClassifier(cfg, 10, 0, true), cfg, false);
      assertArrayEquals(without, with, 0f);
      float[] trained = logits(m, new VitClassifier(cfg, 10, 0.5, true), cfg, true);
      boolean differs = false;
      for (int i = 0; i < with.length; i++) differs |= trained[i] != with[i];
      assertTrue(differs, "in training the branches are dropped");
    }
  }

  /** Logits of 8 fixed images; the engine seed makes the initial weights the same every time. */
  private static float[] logits(NDManager m, VitClassifier model, VitConfig cfg, boolean training) {
    Engine.getInstance().setRandomSeed(3);
    model.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
    try (NDManager sm = m.newSubManager()) {
      float[] px = new float[8 * 28 * 28];
      for (int i = 0; i < px.length; i++) px[i] = (i % 97) / 97f;
      NDArray x = sm.create(px, new Shape(8, 1, 28, 28));
      return model
          .forward(new ParameterStore(sm, false), new NDList(x), training)
          .singletonOrThrow()
          .toFloatArray();
    }
  }
}
