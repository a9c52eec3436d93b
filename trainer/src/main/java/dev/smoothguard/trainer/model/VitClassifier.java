package dev.smoothguard.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The fine-tuned classifier: the ViT encoder over all patches and a linear head. Input (B,C,H,W) in
 * [0,1]; output logits (B,K). Two poolings, as MAE/DMAE's fine-tuning:
 *
 * <ul>
 *   <li><b>global pool</b> (the reference default): the mean of the patch tokens (class token
 *       excluded) of the last block, then {@code fc_norm}, then the head; the encoder's final norm
 *       is not used (the reference deletes it) and is frozen;
 *   <li><b>class token</b>: the encoder's final norm over all tokens, the class token to the head
 *       (the models shipped before global pooling).
 * </ul>
 *
 * <p>Children in order encoder, head[, fc_norm], so class-token checkpoints load as before.
 */
public final class VitClassifier extends AbstractBlock {
  private final VitConfig cfg;
  private final int numClasses;
  private final boolean globalPool;
  private final VitEncoder encoder;
  private final Linear head;
  private final LayerNorm fcNorm;

  /** Class-token classifier without drop path (the shipped models' architecture). */
  public VitClassifier(VitConfig cfg, int numClasses) {
    this(cfg, numClasses, 0, false);
  }

  /**
   * @param dropPath stochastic depth up to this rate in the encoder's blocks (training only)
   * @param globalPool mean of the patch tokens + fc_norm instead of the class token
   */
  public VitClassifier(VitConfig cfg, int numClasses, double dropPath, boolean globalPool) {
    this.cfg = cfg;
    this.numClasses = numClasses;
    this.globalPool = globalPool;
    encoder = addChildBlock("encoder", new VitEncoder(cfg, dropPath, !globalPool));
    head = addChildBlock("head", Linear.builder().setUnits(numClasses).build());
    fcNorm = globalPool ? addChildBlock("fc_norm", TransformerBlock.layerNorm()) : null;
  }

  public VitConfig config() {
    return cfg;
  }

  public int numClasses() {
    return numClasses;
  }

  public VitEncoder encoder() {
    return encoder;
  }

  public Linear head() {
    return head;
  }

  /** Whether the head sees the mean of the patch tokens after {@link #fcNorm()}. */
  public boolean globalPool() {
    return globalPool;
  }

  /** The LayerNorm over the pooled vector with global pooling; null with the class token. */
  public LayerNorm fcNorm() {
    return fcNorm;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray tokens = encoder.forward(ps, new NDList(inputs.get(0)), training).singletonOrThrow();
    NDArray features;
    if (globalPool) {
      // (B, 1, D) so the norm runs over axis 2 like every other LayerNorm of the model
      NDArray pooled = tokens.get(":, 1:, :").mean(new int[] {1}, true);
      features = TransformerBlock.apply(fcNorm, ps, pooled, training).squeeze(1);
    } else {
      features = tokens.get(":, 0, :");
    }
    return head.forward(ps, new NDList(features), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), numClasses)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long b = inputShapes[0].get(0);
    encoder.initialize(manager, dataType, inputShapes[0]);
    head.initialize(manager, dataType, new Shape(b, cfg.width()));
    if (globalPool) {
      fcNorm.initialize(manager, dataType, new Shape(b, 1, cfg.width()));
      // the encoder's final norm gets no gradient: leave it out of training
      for (Parameter p : encoder.norm().getParameters().values()) p.freeze(true);
    }
  }
}
