package dev.smoothguard.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * PyTorch's {@code xavier_uniform_}: U(−a, a) with a = √(6 / (fan_in + fan_out)), fan_out =
 * shape[0], fan_in = the product of the other axes (a Linear's [out, in] weight: in).
 */
public final class XavierUniform implements Initializer {
  @Override
  public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
    if (shape.dimension() < 2)
      throw new IllegalArgumentException("Xavier needs a weight of 2+ axes, got " + shape);
    long fanOut = shape.get(0);
    long fanIn = shape.size() / fanOut;
    float bound = (float) Math.sqrt(6.0 / (fanIn + fanOut));
    return manager.randomUniform(-bound, bound, shape, dataType);
  }
}
