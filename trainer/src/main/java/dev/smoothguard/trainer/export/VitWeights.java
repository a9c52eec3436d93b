package dev.smoothguard.trainer.export;

import java.util.List;

/**
 * A trained ViT classifier as plain arrays in PyTorch's layouts, whichever framework trained it
 * (the trainer's DJL model, or a timm-named PyTorch checkpoint). {@link VitOnnx} writes one as an
 * ONNX graph. Pre-norm blocks, exact GELU, fused qkv projection, as in timm and MAE.
 *
 * @param channels C of the image the patches are cut from
 * @param imageSize H = W the ViT itself takes (after any resize)
 * @param patch patch side; the patch embedding is a stride-{@code patch} convolution
 * @param heads attention heads
 * @param layerNormEps epsilon of every LayerNorm (timm/MAE: 1e-6, DJL: 1e-5)
 * @param pooling what the head sees
 * @param patchWeight [D, C, p, p], PyTorch's Conv2d layout
 * @param patchBias [D]
 * @param clsToken [D], or null when the model has no class token
 * @param positions [T, D] with T = (class token ? 1 : 0) + L, added after the class token is put in
 *     front (timm's {@code pos_embed}; the class token's row is zero in MAE's fixed table)
 * @param blocks the transformer blocks
 * @param tokenNorm LayerNorm over every token before pooling (timm's {@code norm}), or null
 * @param pooledNorm LayerNorm over the pooled vector (MAE's {@code fc_norm}), or null
 * @param head the classifier, [K, D]
 */
public record VitWeights(
    int channels,
    int imageSize,
    int patch,
    int heads,
    float layerNormEps,
    Pooling pooling,
    float[] patchWeight,
    float[] patchBias,
    float[] clsToken,
    float[] positions,
    List<Block> blocks,
    Norm tokenNorm,
    Norm pooledNorm,
    Linear head) {

  /** How the token sequence becomes one vector for the head. */
  public enum Pooling {
    /** The class token's output (ViT's original head, timm's global_pool='token'). */
    CLASS_TOKEN,
    /** The mean over the patch tokens, class token excluded (MAE/DMAE fine-tuning's default). */
    MEAN_OF_PATCHES
  }

  /** LayerNorm's affine parameters, [D] each. */
  public record Norm(float[] scale, float[] bias) {
    public Norm {
      if (scale.length != bias.length)
        throw new IllegalArgumentException("LayerNorm scale and bias differ in size");
    }
  }

  /** y = x·Wᵀ + b with W [out, in] (PyTorch's nn.Linear layout). */
  public record Linear(int in, int out, float[] weight, float[] bias) {
    public Linear {
      if (weight.length != (long) in * out || bias.length != out) {
        throw new IllegalArgumentException(
            "Linear "
                + in
                + "->"
                + out
                + " has "
                + weight.length
                + " weights and "
                + bias.length
                + " biases");
      }
    }
  }

  /** x + proj(Attention(qkv(norm1(x)))); x + fc2(GELU(fc1(norm2(x)))). */
  public record Block(Norm norm1, Linear qkv, Linear proj, Norm norm2, Linear fc1, Linear fc2) {}

  public VitWeights {
    if (imageSize % patch != 0) {
      throw new IllegalArgumentException(
          "image size " + imageSize + " is not a multiple of the patch size " + patch);
    }
    int d = patchBias.length;
    if (d % heads != 0)
      throw new IllegalArgumentException("width " + d + " is not divisible by " + heads + " heads");
    if (patchWeight.length != (long) d * channels * patch * patch) {
      throw new IllegalArgumentException(
          "patch embedding has "
              + patchWeight.length
              + " weights, expected D*C*p*p = "
              + (long) d * channels * patch * patch);
    }
    if (clsToken != null && clsToken.length != d)
      throw new IllegalArgumentException("class token is not of width " + d);
    if (clsToken == null && pooling == Pooling.CLASS_TOKEN) {
      throw new IllegalArgumentException("class-token pooling needs a class token");
    }
    int tokens = (clsToken != null ? 1 : 0) + (imageSize / patch) * (imageSize / patch);
    if (positions.length != (long) tokens * d) {
      throw new IllegalArgumentException(
          "position table has " + positions.length / d + " rows, expected " + tokens);
    }
    if (head.in() != d)
      throw new IllegalArgumentException("head takes " + head.in() + " features, width is " + d);
    blocks = List.copyOf(blocks);
  }

  /** D, the embedding width. */
  public int width() {
    return patchBias.length;
  }

  public int depth() {
    return blocks.size();
  }

  public int numClasses() {
    return head.out();
  }

  /** Patches per side. */
  public int grid() {
    return imageSize / patch;
  }

  public int numPatches() {
    return grid() * grid();
  }

  /** Hidden width of the blocks' MLP. */
  public int mlpWidth() {
    return blocks.isEmpty() ? 0 : blocks.get(0).fc1().out();
  }
}
