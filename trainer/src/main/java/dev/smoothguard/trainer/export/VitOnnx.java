package dev.smoothguard.trainer.export;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.smoothguard.smoothing.onnx.GraphBuilder;
import dev.smoothguard.smoothing.onnx.Protos;
import dev.smoothguard.trainer.export.VitWeights.Block;
import dev.smoothguard.trainer.export.VitWeights.Linear;
import dev.smoothguard.trainer.export.VitWeights.Norm;
import dev.smoothguard.trainer.export.VitWeights.Pooling;
import dev.smoothguard.trainer.model.VitClassifier;
import dev.smoothguard.trainer.model.VitConfig;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a ViT classifier as an ONNX graph, op for op the computation of the framework that trained
 * it: input {@code [N,C,S,S]} float pixels in [0,1] with a dynamic batch, then the {@link
 * Preprocessing} (optional resize, normalisation), the ViT, output logits {@code [N,K]}. Opset 17
 * (the first with LayerNormalization; ONNX Runtime 1.29 runs up to 23).
 */
public final class VitOnnx {
  public static final long OPSET = 17;
  public static final String INPUT = "input";
  public static final String OUTPUT = "logits";

  private final GraphBuilder g = new GraphBuilder("smoothguard-vit", OPSET);
  private final VitWeights w;

  private VitOnnx(VitWeights w) {
    this.w = w;
  }

  /** The trainer's own classifier (either pooling), normalised with its config's mean and std. */
  public static ModelProto export(VitClassifier model) {
    VitConfig cfg = model.config();
    return export(
        DjlVit.weights(model), Preprocessing.normaliseOnly(cfg.imageSize(), cfg.mean(), cfg.std()));
  }

  public static ModelProto export(VitWeights weights, Preprocessing pre) {
    return new VitOnnx(weights).build(pre);
  }

  private ModelProto build(Preprocessing pre) {
    int c = w.channels();
    int s = pre.inputSize();
    g.input(INPUT, TensorProto.DataType.FLOAT, "N", (long) c, (long) s, (long) s);
    String x = INPUT;
    if (s != w.imageSize()) {
      if (pre.resize() == null) {
        throw new IllegalArgumentException(
            "input size "
                + s
                + " differs from the ViT's "
                + w.imageSize()
                + " and no resize mode is given");
      }
      x = resize(x, pre);
    }
    if (pre.mean() != null) x = normalise(x, pre);
    String tokens = patchEmbed(x);
    for (Block block : w.blocks()) tokens = block(tokens, block);
    String pooled = pool(tokens);
    if (w.pooledNorm() != null) pooled = layerNorm(pooled, w.pooledNorm());
    Linear head = w.head();
    String logits = g.dense(pooled, head.weight(), head.bias(), head.in(), head.out());
    g.addNode("Identity", List.of(logits), List.of(OUTPUT));
    g.output(OUTPUT, TensorProto.DataType.FLOAT, "N", (long) w.numClasses());
    return g.model("smoothguard-trainer");
  }

  /** [N,C,S,S] -> [N,C,R,R], R the ViT's image size; the batch size is read at run time. */
  private String resize(String x, Preprocessing pre) {
    String nc =
        g.node("Slice", List.of(g.node("Shape", List.of(x)), g.longs("s0", 0), g.longs("s2", 2)));
    String sizes =
        g.node(
            "Concat",
            List.of(nc, g.longs("hw", w.imageSize(), w.imageSize())),
            Protos.attr("axis", 0L));
    return pre.resize().resize(g, x, sizes);
  }

  /** (x - mean) / std per channel. */
  private String normalise(String x, Preprocessing pre) {
    if (pre.mean().length != w.channels()) {
      throw new IllegalArgumentException(
          "normalisation has "
              + pre.mean().length
              + " channel values, the model "
              + w.channels()
              + " channels");
    }
    long[] dims = {1, w.channels(), 1, 1};
    String centred = g.node("Sub", List.of(x, g.floats("mean", dims, pre.mean())));
    return g.node("Div", List.of(centred, g.floats("std", dims, pre.std())));
  }

  /**
   * Stride-p convolution to (N, D, g, g), flattened to (N, L, D) in row-major grid order, plus the
   * patch positions; then the class token (with its position) in front: (N, 1+L, D).
   */
  private String patchEmbed(String x) {
    int d = w.width(), p = w.patch();
    String kernel = g.floats("patch_W", new long[] {d, w.channels(), p, p}, w.patchWeight());
    String conv =
        g.node(
            "Conv",
            List.of(x, kernel, g.floats("patch_b", new long[] {d}, w.patchBias())),
            Protos.attr("kernel_shape", (long) p, (long) p),
            Protos.attr("strides", (long) p, (long) p));
    String emb = g.transpose(g.reshape(conv, 0, d, w.numPatches()), 0, 2, 1);
    float[] pos = w.positions();
    int prefix = w.clsToken() != null ? 1 : 0;
    float[] patchPos = Arrays.copyOfRange(pos, prefix * d, pos.length);
    emb =
        g.node(
            "Add", List.of(emb, g.floats("pos_embed", new long[] {w.numPatches(), d}, patchPos)));
    if (w.clsToken() == null) return emb;
    float[] cls = w.clsToken().clone();
    for (int i = 0; i < d; i++) cls[i] += pos[i];
    // the class token plus its position, expanded to (N, 1, D)
    String batch =
        g.node("Slice", List.of(g.node("Shape", List.of(emb)), g.longs("s0", 0), g.longs("s1", 1)));
    String clsShape =
        g.node("Concat", List.of(batch, g.longs("one_d", 1, d)), Protos.attr("axis", 0L));
    String clsTokens =
        g.node("Expand", List.of(g.floats("cls_token", new long[] {1, 1, d}, cls), clsShape));
    return g.node("Concat", List.of(clsTokens, emb), Protos.attr("axis", 1L));
  }

  /** (N, T, D) -> (N, D) as the head sees it, with the token norm where it belongs. */
  private String pool(String tokens) {
    if (w.pooling() == Pooling.CLASS_TOKEN) {
      // LayerNorm is per token, so norming only the class token is the same and L+1 times cheaper
      String cls =
          g.node("Gather", List.of(tokens, g.longScalar("cls_index", 0)), Protos.attr("axis", 1L));
      return w.tokenNorm() == null ? cls : layerNorm(cls, w.tokenNorm());
    }
    if (w.tokenNorm() != null) tokens = layerNorm(tokens, w.tokenNorm());
    if (w.clsToken() != null) {
      tokens =
          g.node(
              "Slice",
              List.of(
                  tokens, g.longs("from", 1), g.longs("to", Long.MAX_VALUE), g.longs("axis1", 1)));
    }
    return g.node(
        "ReduceMean",
        List.of(tokens),
        Protos.attr("axes", new long[] {1}),
        Protos.attr("keepdims", 0L));
  }

  /** x + Attention(LN(x)); x + MLP(LN(x)). */
  private String block(String x, Block b) {
    String h = attention(layerNorm(x, b.norm1()), b);
    x = g.node("Add", List.of(x, h));
    h = mlp(layerNorm(x, b.norm2()), b);
    return g.node("Add", List.of(x, h));
  }

  /** Multi-head self-attention on (N, T, D), heads split from one fused qkv projection. */
  private String attention(String x, Block b) {
    int heads = w.heads();
    int width = w.width();
    int headDim = width / heads;
    String qkv = linear(x, b.qkv());
    // (N, T, 3D) -> (N, T, 3, heads, headDim) -> (3, N, heads, T, headDim)
    String split = g.node("Reshape", List.of(qkv, g.longs("qkv_shape", 0, 0, 3, heads, headDim)));
    String perm = g.node("Transpose", List.of(split), Protos.attr("perm", 2L, 0L, 3L, 1L, 4L));
    String q = g.node("Gather", List.of(perm, g.longScalar("q_index", 0)), Protos.attr("axis", 0L));
    String k = g.node("Gather", List.of(perm, g.longScalar("k_index", 1)), Protos.attr("axis", 0L));
    String v = g.node("Gather", List.of(perm, g.longScalar("v_index", 2)), Protos.attr("axis", 0L));
    q =
        g.node(
            "Mul", List.of(q, g.floats("scale", new long[0], (float) (1.0 / Math.sqrt(headDim)))));
    String kt = g.node("Transpose", List.of(k), Protos.attr("perm", 0L, 1L, 3L, 2L));
    String att =
        g.node("Softmax", List.of(g.node("MatMul", List.of(q, kt))), Protos.attr("axis", -1L));
    String out = g.node("MatMul", List.of(att, v));
    out = g.node("Transpose", List.of(out), Protos.attr("perm", 0L, 2L, 1L, 3L));
    out = g.node("Reshape", List.of(out, g.longs("merge_shape", 0, 0, width)));
    return linear(out, b.proj());
  }

  /** fc2(GELU(fc1(x))), GELU exact: 0.5·x·(1 + erf(x/√2)), as PyTorch's default. */
  private String mlp(String x, Block b) {
    return linear(gelu(linear(x, b.fc1())), b.fc2());
  }

  private String gelu(String x) {
    String scaled =
        g.node("Div", List.of(x, g.floats("sqrt2", new long[0], (float) Math.sqrt(2.0))));
    String erf =
        g.node("Add", List.of(g.node("Erf", List.of(scaled)), g.floats("one", new long[0], 1f)));
    return g.node(
        "Mul", List.of(g.node("Mul", List.of(x, erf)), g.floats("half", new long[0], 0.5f)));
  }

  /** LayerNormalization over the last axis with the model's epsilon. */
  private String layerNorm(String x, Norm ln) {
    long[] dims = {ln.scale().length};
    return g.node(
        "LayerNormalization",
        List.of(x, g.floats("ln_scale", dims, ln.scale()), g.floats("ln_bias", dims, ln.bias())),
        Protos.attr("axis", -1L),
        Protos.attr("epsilon", w.layerNormEps()));
  }

  /** y = x·Wᵀ + b on (..., in) via MatMul with the transposed weight (out, in). */
  private String linear(String x, Linear layer) {
    float[] wt = transpose(layer.weight(), layer.out(), layer.in());
    String y =
        g.node("MatMul", List.of(x, g.floats("W", new long[] {layer.in(), layer.out()}, wt)));
    return g.node("Add", List.of(y, g.floats("b", new long[] {layer.out()}, layer.bias())));
  }

  private static float[] transpose(float[] m, int rows, int cols) {
    float[] t = new float[m.length];
    for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
    return t;
  }
}
