package dev.smoothguard.trainer.optim;

/**
 * How one parameter is optimised.
 *
 * @param name the parameter's full name in its block (stable across processes, unlike DJL's ids;
 *     the optimiser state is saved under it)
 * @param layerId 0 for the patch embedding and tokens, i+1 for transformer block i, depth+1 for
 *     everything after the blocks (layer-wise learning-rate decay)
 * @param lrScale multiplier of the scheduled learning rate for this parameter
 * @param weightDecay decoupled weight decay (0 for biases, norms, tokens, positions)
 */
public record ParameterSpec(String name, int layerId, double lrScale, double weightDecay) {
  public ParameterSpec {
    if (!(lrScale >= 0) || !(weightDecay >= 0)) {
      throw new IllegalArgumentException(name + ": lr scale and weight decay must be >= 0");
    }
  }
}
