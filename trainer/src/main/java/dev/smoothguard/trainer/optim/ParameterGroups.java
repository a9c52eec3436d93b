package dev.smoothguard.trainer.optim;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameter groups of the reference recipe (MAE/BEiT's {@code param_groups_lrd}): no weight
 * decay for 1-D parameters (biases, LayerNorm scales and shifts) and for the class token, mask
 * token and position embeddings; learning rate scaled by {@code layerDecay^(depth+1-layerId)} with
 * layer id 0 for the patch embedding, class token and positions, i+1 for encoder block i, and
 * depth+1 (scale 1) for everything after the encoder blocks (final norm, fc_norm, head, the MAE
 * decoder).
 *
 * <p>Decided from DJL's parameter names, e.g. {@code 01encoder_03block1_02qkv_weight}: a block's
 * index is the number after "block" in the encoder's part of the name.
 */
public final class ParameterGroups {
  private static final Pattern ENCODER_BLOCK =
      Pattern.compile("(?:^|_)\\d*encoder_\\d*block(\\d+)_");
  private static final List<String> NO_DECAY_NAMES =
      List.of("cls_token", "mask_token", "pos_embed");

  private ParameterGroups() {}

  /** Whether a parameter is left out of weight decay (from its name and its number of axes). */
  public static boolean noWeightDecay(String name, int axes) {
    if (axes <= 1) return true;
    for (String n : NO_DECAY_NAMES) if (name.endsWith(n)) return true;
    return false;
  }

  /** The layer id of a ViT parameter for layer-wise decay; see the class comment. */
  public static int layerId(String name, int depth) {
    if (name.contains("encoder_") || name.startsWith("encoder")) {
      if (name.endsWith("cls_token") || name.endsWith("pos_embed") || name.contains("patch_embed"))
        return 0;
      Matcher m = ENCODER_BLOCK.matcher(name);
      if (m.find()) return Integer.parseInt(m.group(1)) + 1;
    }
    return depth + 1;
  }

  /** The multiplier of the scheduled rate for a layer id. */
  public static double layerScale(int layerId, int depth, double layerDecay) {
    return Math.pow(layerDecay, depth + 1 - layerId);
  }

  /**
   * One spec per trainable parameter, in the given order. {@code layerDecay = 1} gives every
   * parameter the full rate (pre-training).
   */
  public static List<Pair<Parameter, ParameterSpec>> forVit(
      List<Pair<String, Parameter>> params, int depth, double weightDecay, double layerDecay) {
    if (!(layerDecay > 0 && layerDecay <= 1)) {
      throw new IllegalArgumentException("layer decay must be in (0, 1], got " + layerDecay);
    }
    List<Pair<Parameter, ParameterSpec>> out = new ArrayList<>();
    for (Pair<String, Parameter> p : params) {
      String name = p.getKey();
      int axes = p.getValue().getArray().getShape().dimension();
      int layer = layerId(name, depth);
      out.add(
          new Pair<>(
              p.getValue(),
              new ParameterSpec(
                  name,
                  layer,
                  layerScale(layer, depth, layerDecay),
                  noWeightDecay(name, axes) ? 0 : weightDecay)));
    }
    return out;
  }
}
