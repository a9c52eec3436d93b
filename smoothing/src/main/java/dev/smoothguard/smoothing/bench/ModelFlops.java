package dev.smoothguard.smoothing.bench;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Floating-point operations of one forward pass of a classifier on one image, counted over its
 * MatMul, Gemm and Conv nodes (2 per multiply-add; the rest of a CNN/ViT/MLP is a few percent).
 * Shapes come from running the model once with those nodes' operands exposed as outputs, so
 * attention's activation-by-activation products are counted too.
 */
final class ModelFlops {
  private static final Set<String> HEAVY = Set.of("MatMul", "Gemm", "Conv");

  private ModelFlops() {}

  static double perSample(Path file, int channels, int height, int width)
      throws IOException, OrtException {
    GraphProto g = ModelProto.parseFrom(Files.readAllBytes(file)).getGraph();
    Map<String, TensorProto> weights = new HashMap<>();
    g.getInitializerList().forEach(t -> weights.put(t.getName(), t));
    String input =
        g.getInputList().stream()
            .map(ValueInfoProto::getName)
            .filter(n -> !weights.containsKey(n))
            .findFirst()
            .orElseThrow();
    List<NodeProto> heavy =
        g.getNodeList().stream().filter(n -> HEAVY.contains(n.getOpType())).toList();
    Set<String> probe = new LinkedHashSet<>();
    for (NodeProto n : heavy) {
      probe.add(n.getOutput(0));
      if (!n.getInput(0).equals(input) && !weights.containsKey(n.getInput(0)))
        probe.add(n.getInput(0));
    }
    GraphProto.Builder exposed = g.toBuilder();
    Set<String> outputs = new LinkedHashSet<>();
    g.getOutputList().forEach(o -> outputs.add(o.getName()));
    TypeProto floatTensor =
        TypeProto.newBuilder()
            .setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))
            .build();
    for (String name : probe) {
      if (outputs.add(name))
        exposed.addOutput(ValueInfoProto.newBuilder().setName(name).setType(floatTensor));
    }
    ModelProto model =
        ModelProto.parseFrom(Files.readAllBytes(file)).toBuilder().setGraph(exposed).build();
    Map<String, long[]> shapes = new HashMap<>();
    shapes.put(input, new long[] {1, channels, height, width});
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(
          OrtSession.SessionOptions.OptLevel.NO_OPT); // keep every node's output
      try (OrtSession s = SmoothingEngine.env().createSession(model.toByteArray(), so);
          OnnxTensor x =
              OnnxTensor.createTensor(
                  SmoothingEngine.env(),
                  FloatBuffer.allocate(channels * height * width),
                  new long[] {1, channels, height, width});
          OrtSession.Result r = s.run(Map.of(input, x), probe)) {
        for (String name : probe)
          shapes.put(name, ((OnnxTensor) r.get(name).orElseThrow()).getInfo().getShape());
      }
    }
    double flops = 0;
    for (NodeProto n : heavy) {
      long[] out = shapes.get(n.getOutput(0));
      long[] a = shapes.get(n.getInput(0));
      double perOutput =
          switch (n.getOpType()) {
            case "MatMul" -> a[a.length - 1];
            case "Gemm" -> transA(n) ? a[0] : a[1];
            default -> { // Conv: [M, C/group, kh, kw] weights
              TensorProto w = weights.get(n.getInput(1));
              long k = 1;
              for (int i = 1; i < w.getDimsCount(); i++) k *= w.getDims(i);
              yield k;
            }
          };
      long elements = 1;
      for (long d : out) elements *= d;
      flops += 2 * perOutput * elements;
    }
    return flops;
  }

  private static boolean transA(NodeProto n) {
    return n.getAttributeList().stream()
        .anyMatch(a -> a.getName().equals("transA") && a.getI() == 1);
  }
}
