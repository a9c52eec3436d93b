package dev.smoothguard.trainer.pytorch;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A tensor as PyTorch stores it: a view of a flat storage where element (i0, .., ik) is {@code
 * storage[offset + Σ i_j·stride_j]}; contiguous or not.
 */
final class StorageView implements Tensor {
  /** A flat typed buffer, read when a tensor needs it. */
  interface Storage {
    DType dtype();

    long numel();

    /** The storage's bytes, positioned at 0, in the checkpoint's byte order. */
    ByteBuffer bytes();

    /** For error messages, e.g. "storage 12 of model.pth". */
    String describe();
  }

  private final Storage storage;
  private final long offset;
  private final long[] shape;
  private final long[] stride;

  StorageView(Storage storage, long offset, long[] shape, long[] stride) {
    if (shape.length != stride.length) {
      throw new CheckpointException(
          storage.describe()
              + ": tensor has "
              + shape.length
              + " sizes but "
              + stride.length
              + " strides");
    }
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0 || stride[i] < 0) {
        throw new CheckpointException(
            storage.describe()
                + ": negative size or stride "
                + Arrays.toString(shape)
                + " "
                + Arrays.toString(stride));
      }
    }
    this.storage = storage;
    this.offset = offset;
    this.shape = shape.clone();
    this.stride = stride.clone();
  }

  /** A contiguous row-major tensor over the whole storage from {@code offset}. */
  static StorageView contiguous(Storage storage, long offset, long[] shape) {
    long[] stride = new long[shape.length];
    long s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      stride[i] = s;
      s *= shape[i];
    }
    return new StorageView(storage, offset, shape, stride);
  }

  @Override
  public DType dtype() {
    return storage.dtype();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public float[] floats() {
    long n = numel();
    if (n > Integer.MAX_VALUE - 8) {
      throw new CheckpointException(
          storage.describe() + ": tensor of " + n + " elements is too large");
    }
    if (n == 0) return new float[0];
    long last = offset;
    for (int i = 0; i < shape.length; i++) last += (shape[i] - 1) * stride[i];
    if (offset < 0 || last >= storage.numel()) {
      throw new CheckpointException(
          storage.describe()
              + ": tensor "
              + Arrays.toString(shape)
              + " at offset "
              + offset
              + " reaches element "
              + last
              + " of a storage of "
              + storage.numel());
    }
    ByteBuffer buf = storage.bytes();
    DType type = storage.dtype();
    float[] out = new float[(int) n];
    if (isContiguous()) {
      for (int i = 0; i < out.length; i++) out[i] = type.get(buf, (int) (offset + i));
      return out;
    }
    int rank = shape.length;
    long[] index = new long[rank];
    long at = offset;
    for (int i = 0; i < out.length; i++) {
      out[i] = type.get(buf, (int) at);
      // odometer over the shape, innermost axis fastest
      for (int axis = rank - 1; axis >= 0; axis--) {
        if (++index[axis] < shape[axis]) {
          at += stride[axis];
          break;
        }
        at -= (shape[axis] - 1) * stride[axis];
        index[axis] = 0;
      }
    }
    return out;
  }

  private boolean isContiguous() {
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != expected) return false;
      expected *= shape[i];
    }
    return true;
  }

  @Override
  public String toString() {
    return storage.dtype() + Arrays.toString(shape);
  }
}
