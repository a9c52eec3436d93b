package dev.smoothguard.trainer.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The fine-tuned classifier: the ViT encoder over all patches and a linear head on the class
 * token (after the encoder's final LayerNorm). Input (B,C,H,W) in [0,1]; output logits (B,K).
 */
public final class VitClassifier extends AbstractBlock {
  private final VitConfig cfg;
  private final int numClasses;
  private final VitEncoder encoder;
  private final Linear head;

  public VitClassifier(VitConfig cfg, int numClasses) {
    this(cfg, numClasses, 0);
  }

  /** With stochastic depth up to {@code dropPath} in the encoder's blocks (training only). */
  public VitClassifier(VitConfig cfg, int numClasses, double dropPath) {
    this.cfg = cfg;
    this.numClasses = numClasses;
    encoder = addChildBlock("encoder", new VitEncoder(cfg, dropPath));
    head = addChildBlock("head", Linear.builder().setUnits(numClasses).build());
  }

  public VitConfig config() { return cfg; }
  public int numClasses() { return numClasses; }
  public VitEncoder encoder() { return encoder; }
  public Linear head() { return head; }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    var tokens = encoder.forward(ps, new NDList(inputs.get(0)), training).singletonOrThrow();
    return head.forward(ps, new NDList(tokens.get(":, 0, :")), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), numClasses)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    encoder.initialize(manager, dataType, inputShapes[0]);
    head.initialize(manager, dataType, new Shape(inputShapes[0].get(0), cfg.width()));
  }
}
