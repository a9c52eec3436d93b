package dev.smoothguard.trainer.export;

import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import dev.smoothguard.trainer.export.VitWeights.Block;
import dev.smoothguard.trainer.export.VitWeights.Norm;
import dev.smoothguard.trainer.export.VitWeights.Pooling;
import dev.smoothguard.trainer.model.TransformerBlock;
import dev.smoothguard.trainer.model.VitClassifier;
import dev.smoothguard.trainer.model.VitConfig;
import dev.smoothguard.trainer.model.VitEncoder;
import java.util.ArrayList;
import java.util.List;

/** The trainer's DJL {@link VitClassifier} as {@link VitWeights}, ready for {@link VitOnnx}. */
public final class DjlVit {
  private DjlVit() {}

  /**
   * The classifier as it was trained: global pooling (mean of the patch tokens, then fc_norm) or
   * the class token after the encoder's final norm.
   */
  public static VitWeights weights(VitClassifier model) {
    return model.globalPool()
        ? weights(model, null, Pooling.MEAN_OF_PATCHES, model.fcNorm())
        : weights(model, model.encoder().norm(), Pooling.CLASS_TOKEN, null);
  }

  /**
   * Any pooling: {@code tokenNorm} (nullable) runs over every token before pooling, {@code
   * pooledNorm} (nullable) over the pooled vector, e.g. MAE's global average pool + fc_norm is
   * {@code weights(model, null, MEAN_OF_PATCHES, fcNorm)}.
   */
  public static VitWeights weights(
      VitClassifier model, LayerNorm tokenNorm, Pooling pooling, LayerNorm pooledNorm) {
    VitConfig cfg = model.config();
    VitEncoder enc = model.encoder();
    List<Block> blocks = new ArrayList<>();
    for (TransformerBlock b : enc.blocks()) {
      blocks.add(
          new Block(
              norm(b.norm1()),
              linear(b.qkv()),
              linear(b.proj()),
              norm(b.norm2()),
              linear(b.fc1()),
              linear(b.fc2())));
    }
    Linear embed = enc.patchEmbed();
    float[] bias = values(embed.getParameters().get("bias"));
    return new VitWeights(
        cfg.channels(),
        cfg.imageSize(),
        cfg.patch(),
        cfg.heads(),
        VitConfig.LAYER_NORM_EPS,
        pooling,
        convLayout(values(embed.getParameters().get("weight")), cfg),
        bias,
        values(enc.clsToken()),
        enc.positions(),
        blocks,
        tokenNorm == null ? null : norm(tokenNorm),
        pooledNorm == null ? null : norm(pooledNorm),
        linear(model.head()));
  }

  /**
   * The DJL patch embedding is a Linear over patches flattened in (row, column, channel) order, [D,
   * p*p*C]; as a convolution kernel that is [D, C, p, p].
   */
  static float[] convLayout(float[] linear, VitConfig cfg) {
    int p = cfg.patch(), c = cfg.channels(), dim = cfg.patchDim();
    int d = linear.length / dim;
    float[] conv = new float[linear.length];
    for (int o = 0; o < d; o++) {
      for (int ch = 0; ch < c; ch++) {
        for (int r = 0; r < p; r++) {
          for (int col = 0; col < p; col++) {
            conv[((o * c + ch) * p + r) * p + col] = linear[o * dim + (r * p + col) * c + ch];
          }
        }
      }
    }
    return conv;
  }

  private static Norm norm(LayerNorm ln) {
    return new Norm(
        values(ln.getParameters().get("gamma")), values(ln.getParameters().get("beta")));
  }

  private static VitWeights.Linear linear(Linear layer) {
    Parameter w = layer.getParameters().get("weight");
    int out = (int) w.getArray().getShape().get(0);
    int in = (int) w.getArray().getShape().get(1);
    return new VitWeights.Linear(in, out, values(w), values(layer.getParameters().get("bias")));
  }

  private static float[] values(Parameter p) {
    return p.getArray().toFloatArray();
  }
}
