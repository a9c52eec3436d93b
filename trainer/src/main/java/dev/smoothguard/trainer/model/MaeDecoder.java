package dev.smoothguard.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * MAE decoder. Input: the encoder's tokens (B, 1+Lk, D) and the restore indices (B, L) int64 that
 * put [visible..., masked...] back into patch order. Mask tokens fill the masked places, the
 * decoder's own fixed position embeddings are added, a few blocks run, and a linear layer predicts
 * every patch's pixels: output (B, L, patch*patch*C).
 */
public final class MaeDecoder extends AbstractBlock {
  private final VitConfig cfg;
  private final Linear embed;
  private final Parameter maskToken;
  private final List<TransformerBlock> blocks = new ArrayList<>();
  private final LayerNorm norm;
  private final Linear pred;
  private final float[] positions;

  public MaeDecoder(VitConfig cfg) {
    this.cfg = cfg;
    embed = addChildBlock("embed", Linear.builder().setUnits(cfg.decoderWidth()).build());
    maskToken =
        addParameter(
            Parameter.builder()
                .setName("mask_token")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(1, 1, cfg.decoderWidth()))
                .optInitializer(new NormalInitializer(0.02f))
                .build());
    for (int i = 0; i < cfg.decoderDepth(); i++) {
      blocks.add(
          addChildBlock(
              "block" + i,
              new TransformerBlock(
                  cfg.decoderWidth(), cfg.decoderHeads(), cfg.decoderWidth() * cfg.mlpRatio())));
    }
    norm = addChildBlock("norm", TransformerBlock.layerNorm());
    pred = addChildBlock("pred", Linear.builder().setUnits(cfg.patchDim()).build());
    positions = SinCosPositions.table(cfg.grid(), cfg.decoderWidth());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray latent = inputs.get(0);
    NDArray restore = inputs.get(1);
    NDManager m = latent.getManager();
    long b = latent.getShape().get(0);
    long visible = latent.getShape().get(1) - 1;
    int d = cfg.decoderWidth();
    int l = cfg.numPatches();
    NDArray x = TransformerBlock.apply(embed, ps, latent, training);
    NDArray masked =
        m.zeros(new Shape(b, l - visible, d))
            .add(ps.getValue(maskToken, latent.getDevice(), training));
    NDArray seq =
        NDArrays.concat(new NDList(x.get(":, 1:, :"), masked), 1)
            .gather(restore.expandDims(2).repeat(2, d), 1);
    seq =
        NDArrays.concat(new NDList(x.get(":, :1, :"), seq), 1)
            .add(m.create(positions, new Shape(1, 1 + l, d)));
    for (TransformerBlock block : blocks) seq = TransformerBlock.apply(block, ps, seq, training);
    seq = TransformerBlock.apply(norm, ps, seq, training);
    return new NDList(TransformerBlock.apply(pred, ps, seq, training).get(":, 1:, :"));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), cfg.numPatches(), cfg.patchDim())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long b = inputShapes[0].get(0);
    embed.initialize(manager, dataType, inputShapes[0]);
    Shape seq = new Shape(b, 1 + cfg.numPatches(), cfg.decoderWidth());
    for (TransformerBlock block : blocks) block.initialize(manager, dataType, seq);
    norm.initialize(manager, dataType, seq);
    pred.initialize(manager, dataType, seq);
  }
}
