package dev.smoothguard.trainer.pytorch;

/**
 * A tensor in a checkpoint, read on demand: the file stays closed to everything the model does not
 * use (optimizer moments, decoders).
 */
public interface Tensor {
  DType dtype();

  /** The shape, outermost first. */
  long[] shape();

  /** The values in row-major order, converted to float32. */
  float[] floats();

  default long numel() {
    long n = 1;
    for (long d : shape()) n *= d;
    return n;
  }
}
