package dev.smoothguard.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The consistency loss against values worked out by hand from its definition. */
class ConsistencyLossTest {
  @Test
  void matchesTheDefinitionOnTwoCopies() {
    // one image, two copies, three classes
    float[][] logits = {{1f, 0f, -1f}, {0f, 2f, 0f}};
    int label = 1;
    double lambda = 2, eta = 0.5;
    double[][] p = new double[2][];
    double ce = 0;
    for (int i = 0; i < 2; i++) {
      p[i] = softmax(logits[i]);
      ce += -Math.log(p[i][label]) / 2;
    }
    double[] avg = new double[3];
    for (int k = 0; k < 3; k++) avg[k] = (p[0][k] + p[1][k]) / 2;
    double kl = 0, h = 0;
    for (int i = 0; i < 2; i++)
      for (int k = 0; k < 3; k++) kl += avg[k] * Math.log(avg[k] / p[i][k]) / 2;
    for (int k = 0; k < 3; k++) h -= avg[k] * Math.log(avg[k]);
    double expected = ce + lambda * kl + eta * h;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1f, 0f, -1f, 0f, 2f, 0f}, new Shape(2, 1, 3));
      NDArray y = m.create(new long[] {label});
      assertEquals(expected, ConsistencyLoss.of(x, y, lambda, eta).getFloat(), 1e-5);
      assertEquals(
          ce, ConsistencyLoss.of(x, y, 0, 0).getFloat(), 1e-5, "λ = η = 0 is plain cross-entropy");
    }
  }

  @Test
  void labelSmoothingChangesOnlyTheCrossEntropy() {
    // logits (0, ln 2, ln 5): p = (1/8, 2/8, 5/8); label 2, ε = 0.1, K = 3
    // CE_ε = 0.9·(−ln 5/8) + 0.1·mean_k(−ln p_k) = 0.9·0.470004 + 0.1·(2.079442 + 1.386294 +
    // 0.470004)/3
    double eps = 0.1;
    double hand =
        0.9 * -Math.log(5.0 / 8) + eps * (Math.log(8) + Math.log(4) + Math.log(8.0 / 5)) / 3;
    assertEquals(0.554195, hand, 1e-6);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray one =
          m.create(new float[] {0f, (float) Math.log(2), (float) Math.log(5)}, new Shape(1, 1, 3));
      NDArray y = m.create(new long[] {2});
      assertEquals(hand, ConsistencyLoss.of(one, y, 0, 0, eps).getFloat(), 1e-5);
      // two copies: the smoothed CE plus the unchanged consistency terms
      NDArray two = m.create(new float[] {1f, 0f, -1f, 0f, 2f, 0f}, new Shape(2, 1, 3));
      NDArray y1 = m.create(new long[] {1});
      double plain = ConsistencyLoss.of(two, y1, 0, 0).getFloat();
      double reg = ConsistencyLoss.of(two, y1, 2, 0.5).getFloat() - plain;
      double[][] p = {softmax(new float[] {1f, 0f, -1f}), softmax(new float[] {0f, 2f, 0f})};
      double uniform = 0;
      for (double[] pi : p) for (double pk : pi) uniform += -Math.log(pk) / 3 / 2;
      double smoothedCe = (1 - eps) * plain + eps * uniform;
      assertEquals(smoothedCe + reg, ConsistencyLoss.of(two, y1, 2, 0.5, eps).getFloat(), 1e-5);
    }
  }

  private static double[] softmax(float[] z) {
    double sum = 0;
    double[] e = new double[z.length];
    for (int i = 0; i < z.length; i++) sum += e[i] = Math.exp(z[i]);
    for (int i = 0; i < z.length; i++) e[i] /= sum;
    return e;
  }
}
