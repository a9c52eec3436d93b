package dev.smoothguard.trainer.model;

import ai.djl.ndarray.NDArray;

/** Cuts images into non-overlapping patches, each flattened in (row, column, channel) order. */
public final class Patches {
  private Patches() {}

  /** (B, C, H, W) -> (B, L, patch*patch*C), patches in row-major grid order. */
  public static NDArray patchify(NDArray images, VitConfig cfg) {
    long b = images.getShape().get(0);
    int g = cfg.grid();
    int p = cfg.patch();
    return images
        .reshape(b, cfg.channels(), g, p, g, p)
        .transpose(0, 2, 4, 3, 5, 1)
        .reshape(b, cfg.numPatches(), cfg.patchDim());
  }

  /** The same as {@link #patchify} for one CHW image on the host (targets, pictures). */
  public static float[] patchify(float[] chw, VitConfig cfg) {
    int g = cfg.grid(), p = cfg.patch(), c = cfg.channels(), s = cfg.imageSize();
    float[] out = new float[cfg.numPatches() * cfg.patchDim()];
    int i = 0;
    for (int gr = 0; gr < g; gr++) {
      for (int gc = 0; gc < g; gc++) {
        for (int r = 0; r < p; r++) {
          for (int col = 0; col < p; col++) {
            for (int ch = 0; ch < c; ch++) {
              out[i++] = chw[(ch * s + gr * p + r) * s + gc * p + col];
            }
          }
        }
      }
    }
    return out;
  }

  /** Inverse of {@link #patchify(float[], VitConfig)}. */
  public static float[] unpatchify(float[] patches, VitConfig cfg) {
    int g = cfg.grid(), p = cfg.patch(), c = cfg.channels(), s = cfg.imageSize();
    float[] out = new float[c * s * s];
    int i = 0;
    for (int gr = 0; gr < g; gr++) {
      for (int gc = 0; gc < g; gc++) {
        for (int r = 0; r < p; r++) {
          for (int col = 0; col < p; col++) {
            for (int ch = 0; ch < c; ch++) {
              out[(ch * s + gr * p + r) * s + gc * p + col] = patches[i++];
            }
          }
        }
      }
    }
    return out;
  }
}
