package dev.smoothguard.trainer.model;

import dev.smoothguard.smoothing.errors.UserError;
import java.util.List;
import java.util.Map;

/**
 * The shape of a ViT encoder + MAE decoder, and the input normalisation baked into the model.
 *
 * @param name the configuration's name, e.g. "tiny"
 * @param channels C of the input image
 * @param imageSize H = W of the input image
 * @param patch patch side in pixels (non-overlapping patches)
 * @param width encoder embedding width
 * @param depth encoder transformer blocks
 * @param heads encoder attention heads
 * @param mlpRatio hidden width of the MLP as a multiple of the embedding width
 * @param decoderWidth MAE decoder embedding width
 * @param decoderDepth MAE decoder blocks
 * @param decoderHeads MAE decoder attention heads
 * @param mean per-channel mean subtracted from [0,1] pixels (first op of the model)
 * @param std per-channel standard deviation the pixels are divided by
 */
public record VitConfig(
    String name,
    int channels,
    int imageSize,
    int patch,
    int width,
    int depth,
    int heads,
    int mlpRatio,
    int decoderWidth,
    int decoderDepth,
    int decoderHeads,
    float[] mean,
    float[] std) {

  /** LayerNorm epsilon used everywhere (DJL's default), also written into the ONNX graph. */
  public static final float LAYER_NORM_EPS = 1e-5f;

  public VitConfig {
    if (imageSize % patch != 0) {
      throw new IllegalArgumentException(
          name + ": image size " + imageSize + " is not a multiple of the patch size " + patch);
    }
    if (width % heads != 0 || decoderWidth % decoderHeads != 0) {
      throw new IllegalArgumentException(name + ": width must be divisible by the heads");
    }
    if (mean.length != channels || std.length != channels) {
      throw new IllegalArgumentException(name + ": need one mean and std per channel");
    }
  }

  /**
   * Fashion-MNIST sized: 28x28 grayscale, 7x7 patches (a 4x4 grid, 16+1 tokens), width 128, 6
   * blocks, 4 heads, decoder 64x2. Patch 7 instead of 4 makes a training step ~3x cheaper on 2 CPU
   * cores (17 tokens instead of 50; DESIGN.md), which is what lets pre-training and three
   * fine-tunings fit the time we have. Mean/std are Fashion-MNIST's training statistics.
   */
  public static final VitConfig TINY =
      new VitConfig(
          "tiny", 1, 28, 7, 128, 6, 4, 4, 64, 2, 2, new float[] {0.2860f}, new float[] {0.3530f});

  /** ViT-B/16 for 224x224 RGB (ImageNet statistics), MAE decoder 512x8 (16 heads). */
  public static final VitConfig VIT_B16 =
      new VitConfig(
          "vit-b16",
          3,
          224,
          16,
          768,
          12,
          12,
          4,
          512,
          8,
          16,
          new float[] {0.485f, 0.456f, 0.406f},
          new float[] {0.229f, 0.224f, 0.225f});

  private static final Map<String, VitConfig> NAMED = Map.of("tiny", TINY, "vit-b16", VIT_B16);

  public static List<String> names() {
    return List.of("tiny", "vit-b16");
  }

  public static VitConfig named(String name) {
    VitConfig c = NAMED.get(name);
    if (c == null) {
      throw new UserError("unknown model config '" + name + "'; known: " + names());
    }
    return c;
  }

  /** Patches per side. */
  public int grid() {
    return imageSize / patch;
  }

  /** Number of patches L. */
  public int numPatches() {
    return grid() * grid();
  }

  /** Values per flattened patch: patch * patch * C, in (row, column, channel) order. */
  public int patchDim() {
    return patch * patch * channels;
  }

  /** Fails with a clear message when a dataset's images cannot go through this model. */
  public void checkImage(int c, int h, int w, String what) {
    if (c != channels || h != imageSize || w != imageSize) {
      throw new UserError(
          what
              + " has images of "
              + c
              + "x"
              + h
              + "x"
              + w
              + " but config '"
              + name
              + "' takes "
              + channels
              + "x"
              + imageSize
              + "x"
              + imageSize);
    }
  }
}
