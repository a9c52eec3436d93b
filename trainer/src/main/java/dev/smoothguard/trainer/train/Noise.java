package dev.smoothguard.trainer.train;

import java.util.SplittableRandom;

/** Host-side randomness for training batches: Gaussian pixel noise, crops, flips, masks. */
final class Noise {
  private Noise() {}

  /** x + sigma * N(0,1) on every pixel, in [0,1] pixel space, not clipped (as in Cohen et al.). */
  static void addGaussian(float[] x, int offset, int length, double sigma, SplittableRandom rng) {
    if (sigma == 0) return;
    for (int i = offset; i < offset + length; i++) x[i] += (float) (sigma * rng.nextGaussian());
  }

  /**
   * Random crop with zero padding ({@code pad} pixels each side) and, if {@code flip}, a random
   * horizontal flip, of one CHW image written into {@code out} at {@code offset}.
   */
  static void cropFlip(
      float[] chw,
      int c,
      int size,
      int pad,
      boolean flip,
      SplittableRandom rng,
      float[] out,
      int offset) {
    int dy = pad == 0 ? 0 : rng.nextInt(2 * pad + 1) - pad;
    int dx = pad == 0 ? 0 : rng.nextInt(2 * pad + 1) - pad;
    boolean mirror = flip && rng.nextBoolean();
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < size; y++) {
        int sy = y + dy;
        for (int x = 0; x < size; x++) {
          int sx = (mirror ? size - 1 - x : x) + dx;
          float v =
              sy < 0 || sy >= size || sx < 0 || sx >= size ? 0f : chw[(ch * size + sy) * size + sx];
          out[offset + (ch * size + y) * size + x] = v;
        }
      }
    }
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  static int[] permutation(int n, SplittableRandom rng) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
