package dev.smoothguard.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Stochastic depth ("drop path", as timm's {@code drop_path}): in training, each sample's residual
 * branch is kept with probability 1 − rate and then scaled by 1/(1 − rate), else dropped whole, so
 * its expectation is the branch itself; at inference it is the identity. The mask comes from the
 * engine's generator, which the training loop reseeds every step.
 */
public final class DropPath {
  private DropPath() {}

  /** The branch (B, ...) with whole samples dropped in training; itself otherwise. */
  public static NDArray apply(NDArray branch, double rate, boolean training) {
    if (!training || rate <= 0) return branch;
    if (rate >= 1) throw new IllegalArgumentException("drop path rate must be < 1, got " + rate);
    float keep = (float) (1 - rate);
    long[] dims = new long[branch.getShape().dimension()];
    Arrays.fill(dims, 1);
    dims[0] = branch.getShape().get(0);
    NDArray mask =
        branch
            .getManager()
            .randomUniform(0f, 1f, new Shape(dims), DataType.FLOAT32)
            .lt(keep)
            .toType(DataType.FLOAT32, false)
            .div(keep);
    return branch.mul(mask);
  }

  /**
   * timm's rule: rates rise linearly over the blocks, 0 for the first, {@code rate} for the last.
   */
  public static double rateOf(int block, int depth, double rate) {
    return depth <= 1 ? 0 : rate * block / (depth - 1);
  }
}
