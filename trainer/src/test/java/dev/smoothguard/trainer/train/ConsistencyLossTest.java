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
    for (int i = 0; i < 2; i++) for (int k = 0; k < 3; k++) kl += avg[k] * Math.log(avg[k] / p[i][k]) / 2;
    for (int k = 0; k < 3; k++) h -= avg[k] * Math.log(avg[k]);
    double expected = ce + lambda * kl + eta * h;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1f, 0f, -1f, 0f, 2f, 0f}, new Shape(2, 1, 3));
      NDArray y = m.create(new long[] {label});
      assertEquals(expected, ConsistencyLoss.of(x, y, lambda, eta).getFloat(), 1e-5);
      assertEquals(ce, ConsistencyLoss.of(x, y, 0, 0).getFloat(), 1e-5, "λ = η = 0 is plain cross-entropy");
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
