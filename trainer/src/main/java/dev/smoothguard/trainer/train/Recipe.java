package dev.smoothguard.trainer.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.trainer.model.Init;

/**
 * How a run optimises, recorded in its {@code meta.json} so a resume continues with the same recipe
 * and a model card can say how the model was trained. Defaults follow the reference (DMAE's
 * fine-tuning of ViT-B, itself MAE's recipe); see docs/trainer.md.
 *
 * @param weightDecay decoupled AdamW weight decay of the decayed group (biases, norms, tokens and
 *     positions take none)
 * @param beta1 AdamW β1
 * @param beta2 AdamW β2
 * @param baseLearningRate learning rate per 256 images ({@code --blr}); null when the run was given
 *     an absolute {@code --lr}
 * @param minLearningRate the floor the cosine schedule ends at
 * @param layerDecay layer-wise learning-rate decay: block i learns at decay^(depth − i) of the
 *     rate, the patch embedding and class token at decay^(depth + 1), the head at the full rate (1
 *     = off; pre-training uses 1)
 * @param dropPath stochastic depth of the last encoder block, rising linearly from 0 at the first
 *     (timm's rule); training only (pre-training uses 0, as MAE)
 * @param labelSmoothing ε of the label-smoothed cross-entropy in the fine-tuning loss
 * @param globalPool the classifier's head sees the mean of the patch tokens after fc_norm (false:
 *     the class token after the encoder's final norm)
 * @param init how the weights start: "mae" (Xavier-uniform Linear weights, small head) or "djl"
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Recipe(
    double weightDecay,
    double beta1,
    double beta2,
    Double baseLearningRate,
    double minLearningRate,
    double layerDecay,
    double dropPath,
    double labelSmoothing,
    boolean globalPool,
    String init) {

  /** Pre-training: AdamW (0.9, 0.95), weight decay 0.05 (MAE). */
  public static final double PRETRAIN_BETA2 = 0.95;

  /** Fine-tuning: PyTorch's AdamW default betas (0.9, 0.999), as the reference. */
  public static final double FINETUNE_BETA2 = 0.999;

  public Recipe {
    if (!(weightDecay >= 0)) throw new UserError("--weight-decay must be >= 0, got " + weightDecay);
    if (!(minLearningRate >= 0))
      throw new UserError("--min-lr must be >= 0, got " + minLearningRate);
    if (!(dropPath >= 0 && dropPath < 1))
      throw new UserError("--drop-path must be in [0, 1), got " + dropPath);
    if (!(labelSmoothing >= 0 && labelSmoothing < 1))
      throw new UserError("--label-smoothing must be in [0, 1), got " + labelSmoothing);
    Init.named(init);
    if (!(layerDecay > 0 && layerDecay <= 1))
      throw new UserError("--layer-decay must be in (0, 1], got " + layerDecay);
  }

  /**
   * What a checkpoint written before recipes were recorded was trained with (DJL's AdamW, weight
   * decay 0.05).
   */
  static Recipe legacy(String kind) {
    return new Recipe(
        0.05,
        0.9,
        "pretrain".equals(kind) ? PRETRAIN_BETA2 : FINETUNE_BETA2,
        null,
        0,
        1,
        0,
        0,
        false,
        "djl");
  }
}
