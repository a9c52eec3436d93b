package dev.smoothguard.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AdamW's update against the formula worked by hand, groups, and an exact state round trip. */
class AdamWTest {
  @TempDir Path dir;

  @Test
  void firstStepIsDecayThenSignOfTheGradientTimesTheRate() {
    // at t=1 the bias-corrected moments are g and g², so the step is lr·g/(|g|+ε) ≈ lr·sign(g)
    try (NDManager m = NDManager.newBaseManager()) {
      Parameter w = parameter(m, "w", new float[] {1f, -2f});
      AdamW opt =
          AdamW.builder()
              .learningRate(Tracker.fixed(0.1f))
              .groups(List.of(new Pair<>(w, new ParameterSpec("w", 1, 1.0, 0.05))))
              .build();
      try (NDArray g = m.create(new float[] {0.5f, 0.1f})) {
        opt.update(w.getId(), w.getArray(), g);
      }
      float[] got = w.getArray().toFloatArray();
      // 1·(1 − 0.1·0.05) − 0.1 = 0.895;  −2·(1 − 0.005) − 0.1 = −2.09
      assertEquals(0.895, got[0], 1e-6);
      assertEquals(-2.09, got[1], 1e-6);
      assertEquals(1, opt.step("w"));
    }
  }

  @Test
  void threeStepsMatchTheFormulaPerGroup() {
    double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    double[][] grads = {{0.3, -1.2, 0.0}, {-0.1, 0.4, 2.0}, {0.05, -0.02, -0.7}};
    double[] init = {0.5, -0.25, 1.5};
    // decayed weight at half the rate (a lower layer) and an undecayed bias at the full rate
    ParameterSpec decayed = new ParameterSpec("block_weight", 1, 0.5, 0.1);
    ParameterSpec bias = new ParameterSpec("block_bias", 1, 1.0, 0.0);
    try (NDManager m = NDManager.newBaseManager()) {
      Parameter w = parameter(m, "block_weight", toFloats(init));
      Parameter b = parameter(m, "block_bias", toFloats(init));
      AdamW opt =
          AdamW.builder()
              .learningRate(Tracker.fixed((float) lr))
              .betas(b1, b2)
              .eps(eps)
              .groups(List.of(new Pair<>(w, decayed), new Pair<>(b, bias)))
              .build();
      for (double[] g : grads) {
        try (NDArray gw = m.create(toFloats(g));
            NDArray gb = m.create(toFloats(g))) {
          opt.update(w.getId(), w.getArray(), gw);
          opt.update(b.getId(), b.getArray(), gb);
        }
      }
      assertArrayEquals(
          reference(init, grads, lr * 0.5, 0.1, b1, b2, eps),
          toDoubles(w.getArray().toFloatArray()),
          1e-6);
      assertArrayEquals(
          reference(init, grads, lr, 0.0, b1, b2, eps),
          toDoubles(b.getArray().toFloatArray()),
          1e-6);
    }
  }

  @Test
  void savedStateContinuesExactly() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] init = {0.5f, -0.25f, 1.5f, 3f};
      Parameter a = parameter(m, "a", init.clone());
      Parameter c = parameter(m, "c", init.clone());
      AdamW first = optimizer(a);
      AdamW second = optimizer(c);
      for (int step = 0; step < 3; step++) {
        step(m, first, a, step);
        step(m, second, c, step);
      }
      Path file = dir.resolve("optimizer.state");
      first.save(file);
      // a fresh optimizer (as in a new process) picks the state up from the file
      AdamW resumed = optimizer(c);
      resumed.load(file, m);
      assertEquals(3, resumed.step("a"));
      for (int step = 3; step < 6; step++) {
        step(m, first, a, step);
        step(m, resumed, c, step);
      }
      assertArrayEquals(a.getArray().toFloatArray(), c.getArray().toFloatArray(), 0f);
    }
  }

  /** The optimiser for a parameter stored under the name "a" whatever the parameter's id. */
  private static AdamW optimizer(Parameter p) {
    return AdamW.builder()
        .learningRate(Tracker.fixed(0.05f))
        .betas(0.9, 0.95)
        .groups(List.of(new Pair<>(p, new ParameterSpec("a", 2, 0.7, 0.05))))
        .build();
  }

  private static void step(NDManager m, AdamW opt, Parameter p, int step) {
    float[] g = new float[4];
    for (int i = 0; i < 4; i++) g[i] = (float) Math.sin(1 + step * 4 + i);
    try (NDArray grad = m.create(g)) {
      opt.update(p.getId(), p.getArray(), grad);
    }
  }

  /** PyTorch's AdamW in double precision. */
  private static double[] reference(
      double[] init, double[][] grads, double lr, double wd, double b1, double b2, double eps) {
    double[] w = init.clone();
    double[] mm = new double[w.length];
    double[] vv = new double[w.length];
    for (int t = 1; t <= grads.length; t++) {
      for (int i = 0; i < w.length; i++) {
        double g = grads[t - 1][i];
        w[i] *= 1 - lr * wd;
        mm[i] = b1 * mm[i] + (1 - b1) * g;
        vv[i] = b2 * vv[i] + (1 - b2) * g * g;
        double denom = Math.sqrt(vv[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
        w[i] -= lr / (1 - Math.pow(b1, t)) * mm[i] / denom;
      }
    }
    return w;
  }

  private static Parameter parameter(NDManager m, String name, float[] values) {
    Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
    p.setArray(m.create(values));
    return p;
  }

  private static float[] toFloats(double[] xs) {
    float[] out = new float[xs.length];
    for (int i = 0; i < xs.length; i++) out[i] = (float) xs[i];
    return out;
  }

  private static double[] toDoubles(float[] xs) {
    double[] out = new double[xs.length];
    for (int i = 0; i < xs.length; i++) out[i] = xs[i];
    return out;
  }
}
