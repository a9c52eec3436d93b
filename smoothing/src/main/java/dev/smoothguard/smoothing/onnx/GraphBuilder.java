package dev.smoothguard.smoothing.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds one ONNX graph node by node. Tensor names are handed out by {@link #fresh} so helpers can
 * be composed without clashes; every method returns the name of the tensor it produced. Not
 * thread-safe: one builder per graph.
 */
public final class GraphBuilder {
  /** IR version 8 = ONNX 1.10+, read by every ONNX Runtime this project supports. */
  public static final long IR_VERSION = 8;

  private final GraphProto.Builder graph;
  private final Set<String> used = new HashSet<>();
  private final Map<String, Long> opsets = new LinkedHashMap<>();
  private int counter;

  public GraphBuilder(String graphName, long opset) {
    this.graph = GraphProto.newBuilder().setName(graphName);
    this.opsets.put("", opset);
  }

  /** The default-domain opset the nodes of this graph are written for. */
  public long opset() {
    return opsets.get("");
  }

  /** Declares an extra operator-set import (e.g. when inlining a graph that uses one). */
  public GraphBuilder importOpset(String domain, long version) {
    opsets.merge(domain, version, Math::max);
    return this;
  }

  /** A name not used yet in this graph, starting with {@code hint}. */
  public String fresh(String hint) {
    String name = hint;
    while (!used.add(name)) name = hint + "_" + (++counter);
    return name;
  }

  /** Marks a name as taken (for names that come from elsewhere, e.g. an inlined graph). */
  public void reserve(String name) {
    used.add(name);
  }

  public String input(String name, TensorProto.DataType type, Object... dims) {
    reserve(name);
    graph.addInput(Protos.tensorInfo(name, type, dims));
    return name;
  }

  public GraphBuilder output(String name, TensorProto.DataType type, Object... dims) {
    graph.addOutput(Protos.tensorInfo(name, type, dims));
    return this;
  }

  public GraphBuilder output(ValueInfoProto info) {
    graph.addOutput(info);
    return this;
  }

  public String floats(String hint, long[] dims, float... values) {
    String name = fresh(hint);
    graph.addInitializer(Protos.floatTensor(name, dims, values));
    return name;
  }

  public String longs(String hint, long... values) {
    String name = fresh(hint);
    graph.addInitializer(Protos.longTensor(name, new long[] {values.length}, values));
    return name;
  }

  /** A 0-d int64 constant (scalars, e.g. OneHot's depth). */
  public String longScalar(String hint, long value) {
    String name = fresh(hint);
    graph.addInitializer(Protos.longTensor(name, new long[0], value));
    return name;
  }

  public void initializer(TensorProto tensor) {
    reserve(tensor.getName());
    graph.addInitializer(tensor);
  }

  /** Adds a node with one output and returns the output's name. */
  public String node(String op, List<String> inputs, AttributeProto... attributes) {
    String out = fresh(op.toLowerCase(Locale.ROOT));
    addNode(op, inputs, List.of(out), attributes);
    return out;
  }

  public void addNode(
      String op, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
    NodeProto.Builder n =
        NodeProto.newBuilder()
            .setOpType(op)
            .setName(fresh("n_" + op))
            .addAllInput(inputs)
            .addAllOutput(outputs);
    for (AttributeProto a : attributes) n.addAttribute(a);
    outputs.forEach(this::reserve);
    graph.addNode(n);
  }

  public void addNode(NodeProto node) {
    node.getOutputList().forEach(this::reserve);
    graph.addNode(node);
  }

  // ---- common layers, so model builders read like the architecture ----

  /** y = x·Wᵀ + b with W [out,in] (Gemm, transB=1), x [N,in]. */
  public String dense(String x, float[] weight, float[] bias, int in, int out) {
    String w = floats("W", new long[] {out, in}, weight);
    String b = floats("b", new long[] {out}, bias);
    return node("Gemm", List.of(x, w, b), Protos.attr("transB", 1L));
  }

  /** 2-D convolution, square kernel, "same" padding for odd kernels, stride 1. */
  public String conv(String x, float[] weight, float[] bias, int inCh, int outCh, int kernel) {
    String w = floats("conv_W", new long[] {outCh, inCh, kernel, kernel}, weight);
    String b = floats("conv_b", new long[] {outCh}, bias);
    int pad = kernel / 2;
    return node(
        "Conv",
        List.of(x, w, b),
        Protos.attr("kernel_shape", (long) kernel, (long) kernel),
        Protos.attr("pads", (long) pad, (long) pad, (long) pad, (long) pad));
  }

  public String relu(String x) {
    return node("Relu", List.of(x));
  }

  public String maxPool2(String x) {
    return node(
        "MaxPool", List.of(x), Protos.attr("kernel_shape", 2L, 2L), Protos.attr("strides", 2L, 2L));
  }

  /** [N, ...] -> [N, prod(...)]. */
  public String flatten(String x) {
    return node("Flatten", List.of(x), Protos.attr("axis", 1L));
  }

  /** x [..., in] · W [in, out] + b (MatMul + Add, for inputs of rank > 2). */
  public String linear(String x, float[] weight, float[] bias, int in, int out) {
    String w = floats("W", new long[] {in, out}, weight);
    String b = floats("b", new long[] {out}, bias);
    return node("Add", List.of(node("MatMul", List.of(x, w)), b));
  }

  /** LayerNormalization over the last axis (opset 17+), scale 1 and bias 0 unless given. */
  public String layerNorm(String x, float[] scale, float[] bias) {
    String s = floats("ln_scale", new long[] {scale.length}, scale);
    String b = floats("ln_bias", new long[] {bias.length}, bias);
    return node(
        "LayerNormalization",
        List.of(x, s, b),
        Protos.attr("axis", -1L),
        Protos.attr("epsilon", 1e-6f));
  }

  /** Exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)), from opset-13 ops. */
  public String gelu(String x) {
    String erf =
        node(
            "Erf",
            List.of(
                node(
                    "Mul",
                    List.of(x, floats("inv_sqrt2", new long[0], (float) (1 / Math.sqrt(2)))))));
    String onePlus = node("Add", List.of(erf, floats("one", new long[0], 1f)));
    return node(
        "Mul", List.of(node("Mul", List.of(x, onePlus)), floats("half", new long[0], 0.5f)));
  }

  /** Reshape to a constant target shape (0 = keep that input dim, -1 = infer). */
  public String reshape(String x, long... shape) {
    return node("Reshape", List.of(x, longs("shape", shape)));
  }

  public String transpose(String x, long... perm) {
    return node("Transpose", List.of(x), Protos.attr("perm", perm));
  }

  public GraphProto graph() {
    return graph.build();
  }

  public ModelProto model(String producer) {
    ModelProto.Builder m =
        ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName(producer).setGraph(graph);
    opsets.forEach(
        (domain, version) ->
            m.addOpsetImport(
                OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version)));
    return m.build();
  }
}
