package dev.smoothguard.trainer.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import dev.smoothguard.smoothing.errors.UserError;

/**
 * How a model's parameters start, set before {@code initialize}. Both schemes give LayerNorms scale
 * 1 and shift 0, biases 0, and the class and mask tokens N(0, 0.02²) (MAE's).
 */
public enum Init {
  /**
   * MAE's {@code _init_weights}: Xavier-uniform for every Linear weight, the patch embedding
   * included (MAE initialises its convolution as a Linear over the flattened patch); the
   * fine-tuning head N(0, (2·10⁻⁵)²), as MAE's/DMAE's fine-tuning does after loading the encoder.
   */
  MAE,
  /** DJL's defaults: He-normal Linear weights (what the models shipped first were trained with). */
  DJL;

  /** The scheme named on the command line ("mae" or "djl"). */
  public static Init named(String name) {
    for (Init i : values()) if (i.name().equalsIgnoreCase(name)) return i;
    throw new UserError("unknown --init '" + name + "'; known: mae, djl");
  }

  /** Sets the initialisers of every Linear weight in {@code block} (before it is initialised). */
  public void applyTo(Block block) {
    if (this == MAE) block.setInitializer(new XavierUniform(), Parameter.Type.WEIGHT);
  }

  /** As {@link #applyTo}, plus MAE's small head for a classifier. */
  public void applyTo(VitClassifier classifier) {
    applyTo((Block) classifier);
    if (this == MAE)
      classifier.head().setInitializer(new NormalInitializer(2e-5f), Parameter.Type.WEIGHT);
  }
}
