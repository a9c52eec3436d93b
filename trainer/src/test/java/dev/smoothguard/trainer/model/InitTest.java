package dev.smoothguard.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.smoothguard.smoothing.errors.UserError;
import org.junit.jupiter.api.Test;

/**
 * MAE's initialisation: Xavier-uniform Linear weights with PyTorch's bound, a tiny head, unit
 * norms.
 */
class InitTest {
  @Test
  void maeInitialisesLinearsXavierUniformAndTheHeadSmall() {
    VitConfig cfg = VitConfig.TINY;
    Engine.getInstance().setRandomSeed(5);
    try (NDManager m = NDManager.newBaseManager()) {
      VitClassifier model = new VitClassifier(cfg, 10, 0, true);
      Init.MAE.applyTo(model);
      model.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      // fc1 of block 0: [512, 128], bound √(6 / (128 + 512)); U(−a, a) has variance a²/3
      float[] w =
          model
              .encoder()
              .blocks()
              .get(0)
              .fc1()
              .getParameters()
              .get("weight")
              .getArray()
              .toFloatArray();
      double bound = Math.sqrt(6.0 / (128 + 512));
      assertUniform(w, bound);
      // the patch embedding is a Linear [128, 49]: the same rule with fan_in 49
      float[] pe =
          model.encoder().patchEmbed().getParameters().get("weight").getArray().toFloatArray();
      assertUniform(pe, Math.sqrt(6.0 / (49 + 128)));
      float[] head = model.head().getParameters().get("weight").getArray().toFloatArray();
      double sd = Math.sqrt(variance(head));
      assertTrue(sd > 1.5e-5 && sd < 2.5e-5, "head sd " + sd); // 1280 draws of N(0, 2e-5)
      for (float b :
          model
              .encoder()
              .blocks()
              .get(0)
              .fc1()
              .getParameters()
              .get("bias")
              .getArray()
              .toFloatArray()) assertEquals(0f, b);
      for (float g : model.fcNorm().getParameters().get("gamma").getArray().toFloatArray())
        assertEquals(1f, g);
      double cls = Math.sqrt(variance(model.encoder().clsToken().getArray().toFloatArray()));
      assertTrue(cls > 0.015 && cls < 0.025, "class token sd " + cls); // 128 draws of N(0, 0.02)
    }
  }

  @Test
  void djlKeepsItsHeNormalDefault() {
    Engine.getInstance().setRandomSeed(5);
    try (NDManager m = NDManager.newBaseManager()) {
      VitClassifier model = new VitClassifier(VitConfig.TINY, 10, 0, false);
      Init.DJL.applyTo(model);
      model.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      float[] w =
          model
              .encoder()
              .blocks()
              .get(0)
              .fc1()
              .getParameters()
              .get("weight")
              .getArray()
              .toFloatArray();
      // He normal: variance 2 / fan_in = 2/128, against Xavier's 2/640
      assertEquals(2.0 / 128, variance(w), 0.1 * 2.0 / 128);
    }
    assertThrows(UserError.class, () -> Init.named("kaiming"));
  }

  private static void assertUniform(float[] w, double bound) {
    double max = 0;
    for (float x : w) max = Math.max(max, Math.abs(x));
    assertTrue(max <= bound, "max " + max + " > bound " + bound);
    assertTrue(max > 0.95 * bound, "the draws reach the bound: " + max);
    // sample variance of n uniform draws: relative sd √(0.8/n) < 3 % here; 15 % cannot fail by
    // chance
    assertEquals(bound * bound / 3, variance(w), 0.15 * bound * bound / 3);
  }

  private static double variance(float[] xs) {
    double mean = 0, var = 0;
    for (float x : xs) mean += x / (double) xs.length;
    for (float x : xs) var += (x - mean) * (x - mean) / xs.length;
    return var;
  }
}
