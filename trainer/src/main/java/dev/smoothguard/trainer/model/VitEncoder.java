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
 * ViT encoder. Input: images (B, C, H, W) with pixels in [0,1] (noise, if any, already added),
 * optionally the indices (B, Lk) int64 of the patches to keep (MAE masking). Output: (B, 1+Lk, D)
 * tokens after the final LayerNorm, the class token first (before that norm for a global-pool
 * classifier, which normalises the pooled vector instead).
 *
 * <p>Per-channel normalisation is the first op, so the trained model takes the same [0,1] pixels as
 * the exported ONNX graph.
 */
public final class VitEncoder extends AbstractBlock {
  private final VitConfig cfg;
  private final Linear patchEmbed;
  private final Parameter clsToken;
  private final List<TransformerBlock> blocks = new ArrayList<>();
  private final LayerNorm norm;
  private final float[] positions;
  private final boolean finalNorm;

  public VitEncoder(VitConfig cfg) {
    this(cfg, 0, true);
  }

  /**
   * @param dropPath stochastic depth rising linearly over the blocks to this rate (timm's rule)
   * @param finalNorm whether the output goes through the final LayerNorm; the norm's parameters
   *     exist either way, so every encoder loads the pre-training's weights
   */
  public VitEncoder(VitConfig cfg, double dropPath, boolean finalNorm) {
    this.cfg = cfg;
    this.finalNorm = finalNorm;
    patchEmbed = addChildBlock("patch_embed", Linear.builder().setUnits(cfg.width()).build());
    clsToken =
        addParameter(
            Parameter.builder()
                .setName("cls_token")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(1, 1, cfg.width()))
                .optInitializer(new NormalInitializer(0.02f))
                .build());
    for (int i = 0; i < cfg.depth(); i++) {
      blocks.add(
          addChildBlock(
              "block" + i,
              new TransformerBlock(
                  cfg.width(),
                  cfg.heads(),
                  cfg.width() * cfg.mlpRatio(),
                  DropPath.rateOf(i, cfg.depth(), dropPath))));
    }
    norm = addChildBlock("norm", TransformerBlock.layerNorm());
    positions = SinCosPositions.table(cfg.grid(), cfg.width());
  }

  public VitConfig config() {
    return cfg;
  }

  public Linear patchEmbed() {
    return patchEmbed;
  }

  public Parameter clsToken() {
    return clsToken;
  }

  public List<TransformerBlock> blocks() {
    return blocks;
  }

  public LayerNorm norm() {
    return norm;
  }

  /** The fixed position table, (1 + L) x D, row 0 for the class token. */
  public float[] positions() {
    return positions.clone();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray images = inputs.get(0);
    NDManager m = images.getManager();
    long b = images.getShape().get(0);
    int c = cfg.channels();
    int d = cfg.width();
    NDArray x =
        images
            .sub(m.create(cfg.mean(), new Shape(1, c, 1, 1)))
            .div(m.create(cfg.std(), new Shape(1, c, 1, 1)));
    NDArray tokens = TransformerBlock.apply(patchEmbed, ps, Patches.patchify(x, cfg), training);
    NDArray pos = m.create(positions, new Shape(1, 1 + cfg.numPatches(), d));
    tokens = tokens.add(pos.get(":, 1:, :"));
    if (inputs.size() > 1) {
      NDArray keep = inputs.get(1);
      tokens = tokens.gather(keep.expandDims(2).repeat(2, d), 1);
    }
    // zeros(...) first so the broadcast result lives in this step's manager, not the parameters'
    NDArray cls =
        m.zeros(new Shape(b, 1, d)).add(ps.getValue(clsToken, images.getDevice(), training));
    NDArray t = NDArrays.concat(new NDList(cls, tokens), 1);
    for (TransformerBlock block : blocks) t = TransformerBlock.apply(block, ps, t, training);
    return new NDList(finalNorm ? TransformerBlock.apply(norm, ps, t, training) : t);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long b = inputShapes[0].get(0);
    long tokens = inputShapes.length > 1 ? inputShapes[1].get(1) : cfg.numPatches();
    return new Shape[] {new Shape(b, 1 + tokens, cfg.width())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long b = inputShapes[0].get(0);
    patchEmbed.initialize(manager, dataType, new Shape(b, cfg.numPatches(), cfg.patchDim()));
    Shape seq = new Shape(b, 1 + cfg.numPatches(), cfg.width());
    for (TransformerBlock block : blocks) block.initialize(manager, dataType, seq);
    norm.initialize(manager, dataType, seq);
  }
}
