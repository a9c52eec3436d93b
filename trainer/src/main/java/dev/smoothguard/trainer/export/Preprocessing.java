package dev.smoothguard.trainer.export;

import dev.smoothguard.smoothing.onnx.Interpolation;

/**
 * What the exported graph does to the [0,1] pixels before the ViT: an optional resize (after the
 * engine's noise, so a certificate stays in the input's pixel space), then per-channel
 * normalisation.
 *
 * @param inputSize H = W of the graph's input
 * @param resize how to resize to the ViT's image size when it differs from inputSize (null: the
 *     sizes must be equal)
 * @param mean per-channel mean subtracted, or null for no normalisation
 * @param std per-channel standard deviation divided by, or null with mean
 */
public record Preprocessing(int inputSize, Interpolation resize, float[] mean, float[] std) {
  public Preprocessing {
    if (inputSize < 1)
      throw new IllegalArgumentException("input size must be >= 1, got " + inputSize);
    if ((mean == null) != (std == null))
      throw new IllegalArgumentException("give both mean and std, or neither");
    if (mean != null && mean.length != std.length) {
      throw new IllegalArgumentException("mean has " + mean.length + " values, std " + std.length);
    }
    if (std != null) {
      for (float s : std)
        if (!(s > 0)) throw new IllegalArgumentException("std values must be positive, got " + s);
    }
  }

  /** No resize, normalisation only. */
  public static Preprocessing normaliseOnly(int size, float[] mean, float[] std) {
    return new Preprocessing(size, null, mean, std);
  }
}
