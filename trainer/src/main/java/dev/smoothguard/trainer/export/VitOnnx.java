package dev.smoothguard.trainer.export;


import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.smoothguard.smoothing.onnx.GraphBuilder;
import dev.smoothguard.smoothing.onnx.Protos;
import dev.smoothguard.trainer.model.TransformerBlock;
import dev.smoothguard.trainer.model.VitClassifier;
import dev.smoothguard.trainer.model.VitConfig;
import dev.smoothguard.trainer.model.VitEncoder;
import java.util.List;

/**
 * Writes a trained {@link VitClassifier} as an ONNX graph, op for op the same computation as
 * the DJL forward pass: input {@code [N,C,H,W]} float pixels in [0,1] with a dynamic batch,
 * normalisation first, output logits {@code [N,K]}. Opset 17 (the first with
 * LayerNormalization; ONNX Runtime 1.29 runs up to 23).
 */
public final class VitOnnx {
  public static final long OPSET = 17;
  public static final String INPUT = "input";
  public static final String OUTPUT = "logits";

  private final GraphBuilder g = new GraphBuilder("smoothguard-vit", OPSET);
  private final VitConfig cfg;

  private VitOnnx(VitConfig cfg) {
    this.cfg = cfg;
  }

  public static ModelProto export(VitClassifier model) {
    return new VitOnnx(model.config()).build(model);
  }

  private ModelProto build(VitClassifier model) {
    VitEncoder enc = model.encoder();
    int c = cfg.channels();
    int s = cfg.imageSize();
    g.input(INPUT, TensorProto.DataType.FLOAT, "N", (long) c, (long) s, (long) s);
    String x = normalise(INPUT);
    String tokens = patchEmbed(x, enc);
    for (TransformerBlock block : enc.blocks()) tokens = block(tokens, block);
    tokens = layerNorm(tokens, enc.norm());
    String cls = g.node("Gather", List.of(tokens, g.longScalar("cls_index", 0)), Protos.attr("axis", 1L));
    Linear head = model.head();
    String logits = linear2d(cls, head);
    g.addNode("Identity", List.of(logits), List.of(OUTPUT));
    g.output(OUTPUT, TensorProto.DataType.FLOAT, "N", (long) model.numClasses());
    return g.model("smoothguard-trainer");
  }

  /** (x - mean) / std per channel, the model's first op. */
  private String normalise(String x) {
    long[] dims = {1, cfg.channels(), 1, 1};
    String centred = g.node("Sub", List.of(x, g.floats("mean", dims, cfg.mean())));
    return g.node("Div", List.of(centred, g.floats("std", dims, cfg.std())));
  }

  /**
   * Patches as (N, L, p*p*C) in (row, column, channel) order, linear embedding, fixed sin-cos
   * positions, then the class token in front: (N, 1+L, D).
   */
  private String patchEmbed(String x, VitEncoder enc) {
    int gr = cfg.grid(), p = cfg.patch(), d = cfg.width();
    String six = g.node("Reshape", List.of(x, g.longs("patch_shape", -1, cfg.channels(), gr, p, gr, p)));
    String moved = g.node("Transpose", List.of(six), Protos.attr("perm", 0L, 2L, 4L, 3L, 5L, 1L));
    String patches = g.node("Reshape", List.of(moved, g.longs("patches_shape", -1, cfg.numPatches(), cfg.patchDim())));
    String emb = linear(patches, enc.patchEmbed());
    float[] pos = enc.positions();
    float[] patchPos = java.util.Arrays.copyOfRange(pos, d, pos.length);
    emb = g.node("Add", List.of(emb, g.floats("pos_embed", new long[] {cfg.numPatches(), d}, patchPos)));
    // class token (its position embedding is zero) expanded to (N, 1, D)
    String batch = g.node("Slice", List.of(g.node("Shape", List.of(emb)), g.longs("s0", 0), g.longs("s1", 1)));
    String clsShape = g.node("Concat", List.of(batch, g.longs("one_d", 1, d)), Protos.attr("axis", 0L));
    String cls = g.node("Expand", List.of(g.floats("cls_token", new long[] {1, 1, d}, values(enc.clsToken())), clsShape));
    return g.node("Concat", List.of(cls, emb), Protos.attr("axis", 1L));
  }

  /** x + Attention(LN(x)); x + MLP(LN(x)). */
  private String block(String x, TransformerBlock b) {
    String h = attention(layerNorm(x, b.norm1()), b);
    x = g.node("Add", List.of(x, h));
    h = mlp(layerNorm(x, b.norm2()), b);
    return g.node("Add", List.of(x, h));
  }

  /** Multi-head self-attention on (N, T, D), heads split from one fused qkv projection. */
  private String attention(String x, TransformerBlock b) {
    int heads = b.heads();
    int width = (int) b.proj().getParameters().get("weight").getArray().getShape().get(0);
    int headDim = width / heads;
    String qkv = linear(x, b.qkv());
    // (N, T, 3D) -> (N, T, 3, heads, headDim) -> (3, N, heads, T, headDim)
    String split = g.node("Reshape", List.of(qkv, g.longs("qkv_shape", 0, 0, 3, heads, headDim)));
    String perm = g.node("Transpose", List.of(split), Protos.attr("perm", 2L, 0L, 3L, 1L, 4L));
    String q = g.node("Gather", List.of(perm, g.longScalar("q_index", 0)), Protos.attr("axis", 0L));
    String k = g.node("Gather", List.of(perm, g.longScalar("k_index", 1)), Protos.attr("axis", 0L));
    String v = g.node("Gather", List.of(perm, g.longScalar("v_index", 2)), Protos.attr("axis", 0L));
    q = g.node("Mul", List.of(q, g.floats("scale", new long[0], (float) (1.0 / Math.sqrt(headDim)))));
    String kt = g.node("Transpose", List.of(k), Protos.attr("perm", 0L, 1L, 3L, 2L));
    String att = g.node("Softmax", List.of(g.node("MatMul", List.of(q, kt))), Protos.attr("axis", -1L));
    String out = g.node("MatMul", List.of(att, v));
    out = g.node("Transpose", List.of(out), Protos.attr("perm", 0L, 2L, 1L, 3L));
    out = g.node("Reshape", List.of(out, g.longs("merge_shape", 0, 0, width)));
    return linear(out, b.proj());
  }

  /** fc2(GELU(fc1(x))), GELU exact: 0.5·x·(1 + erf(x/√2)), as PyTorch's default. */
  private String mlp(String x, TransformerBlock b) {
    String h = linear(x, b.fc1());
    h = gelu(h);
    return linear(h, b.fc2());
  }

  private String gelu(String x) {
    String scaled = g.node("Div", List.of(x, g.floats("sqrt2", new long[0], (float) Math.sqrt(2.0))));
    String erf = g.node("Add", List.of(g.node("Erf", List.of(scaled)), g.floats("one", new long[0], 1f)));
    return g.node("Mul", List.of(g.node("Mul", List.of(x, erf)), g.floats("half", new long[0], 0.5f)));
  }

  /** LayerNormalization over the last axis, DJL's epsilon. */
  private String layerNorm(String x, LayerNorm ln) {
    float[] gamma = values(ln.getParameters().get("gamma"));
    float[] beta = values(ln.getParameters().get("beta"));
    long[] dims = {gamma.length};
    return g.node("LayerNormalization", List.of(x, g.floats("ln_scale", dims, gamma), g.floats("ln_bias", dims, beta)),
        Protos.attr("axis", -1L), Protos.attr("epsilon", VitConfig.LAYER_NORM_EPS));
  }

  /** y = x·Wᵀ + b on (..., in) via MatMul with the transposed DJL weight (out, in). */
  private String linear(String x, Linear layer) {
    Parameter w = layer.getParameters().get("weight");
    long out = w.getArray().getShape().get(0);
    long in = w.getArray().getShape().get(1);
    float[] wt = transpose(values(w), (int) out, (int) in);
    String y = g.node("MatMul", List.of(x, g.floats("W", new long[] {in, out}, wt)));
    return g.node("Add", List.of(y, g.floats("b", new long[] {out}, values(layer.getParameters().get("bias")))));
  }

  /** The head on (N, D): Gemm, which ORT fuses best for 2-D input. */
  private String linear2d(String x, Linear layer) {
    Parameter w = layer.getParameters().get("weight");
    int out = (int) w.getArray().getShape().get(0);
    int in = (int) w.getArray().getShape().get(1);
    return g.dense(x, values(w), values(layer.getParameters().get("bias")), in, out);
  }

  private static float[] values(Parameter p) {
    return p.getArray().toFloatArray();
  }

  private static float[] transpose(float[] m, int rows, int cols) {
    float[] t = new float[m.length];
    for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
    return t;
  }

}
