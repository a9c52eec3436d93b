package dev.smoothguard.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A pre-norm transformer block on (B, T, D): x + Attn(LN(x)), then x + MLP(LN(x)) with a GELU MLP.
 * LayerNorm normalises axis 2 only (DJL's default would normalise T and D together). In training
 * each residual branch goes through {@link DropPath} at this block's rate.
 */
public final class TransformerBlock extends AbstractBlock {
  private final int width;
  private final int heads;
  private final int hidden;
  private final double dropPath;
  private final LayerNorm norm1;
  private final Linear qkv;
  private final Linear proj;
  private final LayerNorm norm2;
  private final Linear fc1;
  private final Linear fc2;

  public TransformerBlock(int width, int heads, int hidden) {
    this(width, heads, hidden, 0);
  }

  public TransformerBlock(int width, int heads, int hidden, double dropPath) {
    this.dropPath = dropPath;
    this.width = width;
    this.heads = heads;
    this.hidden = hidden;
    norm1 = addChildBlock("norm1", layerNorm());
    qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * width).build());
    proj = addChildBlock("proj", Linear.builder().setUnits(width).build());
    norm2 = addChildBlock("norm2", layerNorm());
    fc1 = addChildBlock("fc1", Linear.builder().setUnits(hidden).build());
    fc2 = addChildBlock("fc2", Linear.builder().setUnits(width).build());
  }

  static LayerNorm layerNorm() {
    return LayerNorm.builder().axis(2).optEpsilon(VitConfig.LAYER_NORM_EPS).build();
  }

  public int heads() {
    return heads;
  }

  /** Probability of dropping this block's residual branches per sample in training. */
  public double dropPath() {
    return dropPath;
  }

  public LayerNorm norm1() {
    return norm1;
  }

  public Linear qkv() {
    return qkv;
  }

  public Linear proj() {
    return proj;
  }

  public LayerNorm norm2() {
    return norm2;
  }

  public Linear fc1() {
    return fc1;
  }

  public Linear fc2() {
    return fc2;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray h = apply(norm1, ps, x, training);
    x = x.add(DropPath.apply(attention(ps, h, training), dropPath, training));
    h = apply(norm2, ps, x, training);
    h = apply(fc2, ps, Activation.gelu(apply(fc1, ps, h, training)), training);
    return new NDList(x.add(DropPath.apply(h, dropPath, training)));
  }

  private NDArray attention(ParameterStore ps, NDArray h, boolean training) {
    long b = h.getShape().get(0);
    long t = h.getShape().get(1);
    int headDim = width / heads;
    // (B, T, 3D) -> (3, B, heads, T, headDim)
    NDArray qkvOut =
        apply(qkv, ps, h, training).reshape(b, t, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
    NDArray q = qkvOut.get(0).mul((float) (1.0 / Math.sqrt(headDim)));
    NDArray k = qkvOut.get(1);
    NDArray v = qkvOut.get(2);
    NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).softmax(-1);
    NDArray out = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, width);
    return apply(proj, ps, out, training);
  }

  static NDArray apply(Block block, ParameterStore ps, NDArray x, boolean training) {
    return block.forward(ps, new NDList(x), training).singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape s = inputShapes[0];
    norm1.initialize(manager, dataType, s);
    qkv.initialize(manager, dataType, s);
    proj.initialize(manager, dataType, s);
    norm2.initialize(manager, dataType, s);
    fc1.initialize(manager, dataType, s);
    fc2.initialize(manager, dataType, new Shape(s.get(0), s.get(1), hidden));
  }
}
