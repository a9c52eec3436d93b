package dev.smoothguard.trainer.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The DMAE pre-training network: encoder over the visible patches of a noisy image, decoder
 * predicting all patches. Inputs: noisy images (B,C,H,W), keep indices (B,Lk), restore indices
 * (B,L). Output: predicted patches (B, L, patch*patch*C).
 */
public final class DmaeModel extends AbstractBlock {
  private final VitConfig cfg;
  private final VitEncoder encoder;
  private final MaeDecoder decoder;

  public DmaeModel(VitConfig cfg) {
    this.cfg = cfg;
    encoder = addChildBlock("encoder", new VitEncoder(cfg));
    decoder = addChildBlock("decoder", new MaeDecoder(cfg));
  }

  public VitEncoder encoder() {
    return encoder;
  }

  public MaeDecoder decoder() {
    return decoder;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList latent = encoder.forward(ps, new NDList(inputs.get(0), inputs.get(1)), training);
    return decoder.forward(ps, new NDList(latent.singletonOrThrow(), inputs.get(2)), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), cfg.numPatches(), cfg.patchDim())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    encoder.initialize(manager, dataType, inputShapes[0], inputShapes[1]);
    Shape latent = encoder.getOutputShapes(new Shape[] {inputShapes[0], inputShapes[1]})[0];
    decoder.initialize(manager, dataType, latent, inputShapes[2]);
  }
}
