package dev.smoothguard.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/** Global pooling: head(fc_norm(mean of the patch tokens)), computed here by hand on the host. */
class GlobalPoolTest {
  @Test
  void logitsAreTheHeadOfTheNormalisedMeanOfPatchTokens() {
    VitConfig cfg = VitConfig.TINY;
    int b = 3, d = cfg.width(), l = cfg.numPatches();
    try (NDManager m = NDManager.newBaseManager()) {
      VitClassifier model = new VitClassifier(cfg, 10, 0, true);
      model.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      // a non-trivial fc_norm, so the test sees its scale and shift
      Parameter gamma = model.fcNorm().getParameters().get("gamma");
      Parameter beta = model.fcNorm().getParameters().get("beta");
      float[] g = new float[d], be = new float[d];
      for (int i = 0; i < d; i++) {
        g[i] = 1 + 0.01f * i;
        be[i] = 0.005f * (i % 7);
      }
      gamma.getArray().set(g);
      beta.getArray().set(be);
      float[] px = new float[b * 28 * 28];
      for (int i = 0; i < px.length; i++) px[i] = (i * 37 % 101) / 101f;
      try (NDManager sm = m.newSubManager()) {
        ParameterStore ps = new ParameterStore(sm, false);
        NDArray x = sm.create(px, new Shape(b, 1, 28, 28));
        float[] tokens =
            model.encoder().forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
        float[] logits = model.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
        float[] w = model.head().getParameters().get("weight").getArray().toFloatArray();
        float[] bias = model.head().getParameters().get("bias").getArray().toFloatArray();
        for (int s = 0; s < b; s++) {
          double[] mean = new double[d];
          for (int t = 1; t <= l; t++)
            for (int k = 0; k < d; k++) mean[k] += tokens[(s * (l + 1) + t) * d + k] / l;
          double mu = 0, var = 0;
          for (double v : mean) mu += v / d;
          for (double v : mean) var += (v - mu) * (v - mu) / d;
          double[] normed = new double[d];
          for (int k = 0; k < d; k++)
            normed[k] = (mean[k] - mu) / Math.sqrt(var + VitConfig.LAYER_NORM_EPS) * g[k] + be[k];
          for (int c = 0; c < 10; c++) {
            double z = bias[c];
            for (int k = 0; k < d; k++) z += w[c * d + k] * normed[k];
            assertEquals(z, logits[s * 10 + c], 1e-4, "sample " + s + " class " + c);
          }
        }
      }
      // the encoder's final norm is unused with global pooling and so left out of training
      for (Parameter p : model.encoder().norm().getParameters().values())
        assertFalse(p.requiresGradient());
      assertTrue(model.head().getParameters().get("weight").requiresGradient());
    }
  }

  @Test
  void classTokenModelHasNoFcNorm() {
    VitClassifier model = new VitClassifier(VitConfig.TINY, 10);
    assertFalse(model.globalPool());
    assertNull(model.fcNorm());
  }
}
