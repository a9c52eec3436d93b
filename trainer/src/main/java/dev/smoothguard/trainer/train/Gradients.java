package dev.smoothguard.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * What the training loop does with the gradients it collected: their global L2 norm, which of them
 * are not finite, and clearing them for the next step.
 *
 * <p>Clearing overwrites every element with 0. The obvious {@code g.subi(g)} (DJL's own
 * zeroGradients) is only a zero for finite values: NaN − NaN and ∞ − ∞ are NaN, so after one step
 * with a non-finite gradient the NaN stayed in the parameter's gradient, PyTorch added every later
 * gradient to it, and every later step was skipped as non-finite (a pre-training stuck from step
 * 912 on, its loss still finite).
 */
final class Gradients {
  private static final NDIndex ALL = new NDIndex("...");

  private Gradients() {}

  /** The squared L2 norms of each gradient, in float64 so a large sum cannot overflow. */
  static double[] squaredNorms(List<NDArray> grads) {
    double[] out = new double[grads.size()];
    for (int i = 0; i < out.length; i++) {
      NDArray g = grads.get(i);
      try (NDArray wide = g.toType(DataType.FLOAT64, true);
          NDArray sq = wide.square();
          NDArray sum = sq.sum()) {
        out[i] = sum.getDouble();
      }
    }
    return out;
  }

  /** The names whose squared norm is not finite (the gradients holding a NaN or an infinity). */
  static List<String> nonFinite(List<String> names, double[] squaredNorms) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < squaredNorms.length; i++) {
      if (!Double.isFinite(squaredNorms[i])) out.add(names.get(i));
    }
    return out;
  }

  /** Sets every element of {@code grad} to 0, in place, whatever it held (NaN and ±∞ included). */
  static void clear(NDArray grad) {
    grad.set(ALL, 0f);
  }
}
