package dev.smoothguard.trainer.pytorch;

import dev.smoothguard.trainer.export.VitWeights;
import dev.smoothguard.trainer.export.VitWeights.Block;
import dev.smoothguard.trainer.export.VitWeights.Linear;
import dev.smoothguard.trainer.export.VitWeights.Norm;
import dev.smoothguard.trainer.export.VitWeights.Pooling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * timm's VisionTransformer (and MAE/DMAE's subclass of it) rebuilt from a state dict's names and
 * shapes: {@code patch_embed.proj}, {@code cls_token}, {@code pos_embed}, {@code blocks.N.{norm1,
 * attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}}, {@code norm} and/or {@code fc_norm}, {@code
 * head}. Depth, width, patch size, channels, image size, MLP width and classes come from the
 * shapes; the number of heads does not, so it is given. Every tensor must be used: a key this class
 * does not know (LayerScale, register tokens, a MAE decoder) is an error that names it rather than
 * a silently different model.
 */
public final class TimmVit {
  private static final Pattern BLOCK_KEY = Pattern.compile("blocks\\.(\\d+)\\..*");

  private final Map<String, Tensor> weights;
  private final String source;
  private final Set<String> used = new HashSet<>();

  private TimmVit(Map<String, Tensor> weights, String source) {
    this.weights = weights;
    this.source = source;
  }

  /**
   * @param weights the state dict (no wrapper prefix)
   * @param source the checkpoint, for errors
   * @param heads attention heads (not recorded in the shapes)
   * @param layerNormEps LayerNorm epsilon (timm's ViTs and MAE: 1e-6)
   * @param pooling the head's pooling, or null to infer it: the mean of the patch tokens when
   *     {@code fc_norm} exists and {@code norm} does not (MAE/DMAE fine-tuning), else the class
   *     token
   */
  public static VitWeights build(
      Map<String, Tensor> weights, String source, int heads, float layerNormEps, Pooling pooling) {
    return new TimmVit(weights, source).build(heads, layerNormEps, pooling);
  }

  private VitWeights build(int heads, float eps, Pooling poolingOrNull) {
    if (!weights.containsKey("patch_embed.proj.weight") && !weights.containsKey("head.weight")) {
      throw new CheckpointException(
          source
              + ": not a timm ViT: no patch_embed.proj.weight or head.weight among "
              + sample(weights.keySet()));
    }
    long[] conv = shapeOf("patch_embed.proj.weight");
    if (conv.length != 4 || conv[2] != conv[3]) {
      throw new CheckpointException(
          source
              + ": patch_embed.proj.weight has shape "
              + Arrays.toString(conv)
              + ", expected [D, C, p, p] (square patches)");
    }
    int d = (int) conv[0];
    int channels = (int) conv[1];
    int patch = (int) conv[2];
    if (heads < 1 || d % heads != 0) {
      throw new CheckpointException(
          source + ": width " + d + " is not divisible by --heads " + heads);
    }
    float[] patchWeight = take("patch_embed.proj.weight", d, channels, patch, patch);
    float[] patchBias = optional("patch_embed.proj.bias", d);
    float[] cls = weights.containsKey("cls_token") ? take("cls_token", 1, 1, d) : null;
    int prefix = cls != null ? 1 : 0;

    long[] pos = shapeOf("pos_embed");
    if (pos.length != 3 || pos[0] != 1 || pos[2] != d) {
      throw new CheckpointException(
          source
              + ": pos_embed has shape "
              + Arrays.toString(pos)
              + ", expected [1, T, "
              + d
              + "]");
    }
    long patches = pos[1] - prefix;
    int grid = (int) Math.round(Math.sqrt(patches));
    if (patches < 1 || (long) grid * grid != patches) {
      throw new CheckpointException(
          source
              + ": pos_embed has "
              + pos[1]
              + " positions: "
              + prefix
              + " class token(s) + "
              + patches
              + " patches, not a square grid");
    }
    float[] positions = take("pos_embed", 1, pos[1], d);

    int depth = depth();
    List<Block> blocks = new ArrayList<>(depth);
    int hidden = depth == 0 ? 0 : (int) shapeOf("blocks.0.mlp.fc1.weight")[0];
    for (int i = 0; i < depth; i++) {
      String b = "blocks." + i + ".";
      blocks.add(
          new Block(
              norm(b + "norm1", d),
              linear(b + "attn.qkv", d, 3 * d),
              linear(b + "attn.proj", d, d),
              norm(b + "norm2", d),
              linear(b + "mlp.fc1", d, hidden),
              linear(b + "mlp.fc2", hidden, d)));
    }
    boolean hasNorm = weights.containsKey("norm.weight");
    boolean hasFcNorm = weights.containsKey("fc_norm.weight");
    Pooling pooling =
        poolingOrNull != null
            ? poolingOrNull
            : hasFcNorm && !hasNorm || cls == null ? Pooling.MEAN_OF_PATCHES : Pooling.CLASS_TOKEN;
    if (pooling == Pooling.CLASS_TOKEN && cls == null) {
      throw new CheckpointException(
          source + ": class-token pooling asked for, but there is no cls_token");
    }
    Norm tokenNorm = hasNorm ? norm("norm", d) : null;
    Norm pooledNorm = hasFcNorm ? norm("fc_norm", d) : null;
    if (!weights.containsKey("head.weight")) {
      throw new CheckpointException(
          source
              + ": no head.weight: this is an encoder without a classifier "
              + "(e.g. a pre-training checkpoint); fine-tune it first, then import the fine-tuned checkpoint");
    }
    long[] headShape = shapeOf("head.weight");
    if (headShape.length != 2 || headShape[1] != d) {
      throw new CheckpointException(
          source
              + ": head.weight has shape "
              + Arrays.toString(headShape)
              + ", expected [classes, "
              + d
              + "]");
    }
    Linear head = linear("head", d, (int) headShape[0]);

    Set<String> unused = new TreeSet<>(weights.keySet());
    unused.removeAll(used);
    if (!unused.isEmpty()) {
      throw new CheckpointException(
          source
              + ": parameters a timm ViT classifier does not have (an unsupported "
              + "variant, or not a classifier): "
              + sample(unused));
    }
    return new VitWeights(
        channels,
        grid * patch,
        patch,
        heads,
        eps,
        pooling,
        patchWeight,
        patchBias,
        cls,
        positions,
        blocks,
        tokenNorm,
        pooledNorm,
        head);
  }

  /** Blocks are numbered 0..depth-1 without gaps. */
  private int depth() {
    Set<Integer> seen = new TreeSet<>();
    for (String k : weights.keySet()) {
      Matcher m = BLOCK_KEY.matcher(k);
      if (m.matches()) seen.add(Integer.parseInt(m.group(1)));
    }
    for (int i = 0; i < seen.size(); i++) {
      if (!seen.contains(i))
        throw new CheckpointException(
            source + ": blocks." + i + " is missing (blocks found: " + seen + ")");
    }
    return seen.size();
  }

  private Norm norm(String name, int d) {
    return new Norm(take(name + ".weight", d), take(name + ".bias", d));
  }

  /** nn.Linear(in, out): weight [out, in], bias [out] (zeros when the layer has none). */
  private Linear linear(String name, int in, int out) {
    return new Linear(in, out, take(name + ".weight", out, in), optional(name + ".bias", out));
  }

  private float[] optional(String key, int size) {
    return weights.containsKey(key) ? take(key, size) : new float[size];
  }

  private long[] shapeOf(String key) {
    Tensor t = weights.get(key);
    if (t == null) throw missing(key);
    return t.shape();
  }

  /** The tensor's values, checked against the expected shape. */
  private float[] take(String key, long... shape) {
    Tensor t = weights.get(key);
    if (t == null) throw missing(key);
    if (!Arrays.equals(t.shape(), shape)) {
      throw new CheckpointException(
          source
              + ": '"
              + key
              + "' has shape "
              + Arrays.toString(t.shape())
              + ", expected "
              + Arrays.toString(shape));
    }
    if (!t.dtype().isFloatingPoint()) {
      throw new CheckpointException(
          source + ": '" + key + "' is " + t.dtype() + ", expected floating point");
    }
    used.add(key);
    return t.floats();
  }

  private CheckpointException missing(String key) {
    return new CheckpointException(
        source + ": missing key '" + key + "' (not a timm ViT, or a different --state-key)");
  }

  private static String sample(Set<String> keys) {
    List<String> first = keys.stream().limit(8).toList();
    return String.join(", ", first)
        + (keys.size() > first.size() ? " and " + (keys.size() - first.size()) + " more" : "");
  }
}
