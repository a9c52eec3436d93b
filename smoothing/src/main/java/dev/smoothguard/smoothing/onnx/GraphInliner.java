package dev.smoothguard.smoothing.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Copies the nodes and initializers of a one-input graph into another graph, feeding it from a
 * given tensor. Every name of the inlined graph gets a prefix so it cannot clash with the host
 * graph; subgraphs (If/Loop bodies) keep their own local names and only their references to the
 * outer graph are renamed.
 */
public final class GraphInliner {
  private GraphInliner() {}

  /**
   * Inlines {@code g} into {@code host} with its single real input bound to {@code input}.
   *
   * @return the host-graph name of {@code g}'s first output
   */
  public static String inline(GraphBuilder host, GraphProto g, String input, String prefix) {
    Set<String> initializers = new HashSet<>();
    g.getInitializerList().forEach(t -> initializers.add(t.getName()));
    List<String> realInputs =
        g.getInputList().stream()
            .map(v -> v.getName())
            .filter(n -> !initializers.contains(n))
            .toList();
    if (realInputs.size() != 1) {
      throw new IllegalArgumentException(
          "graph to inline needs exactly one input, has " + realInputs);
    }
    Map<String, String> rename = new HashMap<>();
    rename.put(realInputs.get(0), input);
    for (TensorProto t : g.getInitializerList()) {
      String name = host.fresh(prefix + t.getName());
      rename.put(t.getName(), name);
      host.initializer(t.toBuilder().setName(name).build());
    }
    for (NodeProto n : g.getNodeList()) {
      for (String out : n.getOutputList()) {
        if (!out.isEmpty()) rename.put(out, host.fresh(prefix + out));
      }
    }
    for (NodeProto n : g.getNodeList()) host.addNode(renamed(n, rename, prefix));
    return rename.get(g.getOutput(0).getName());
  }

  private static NodeProto renamed(NodeProto n, Map<String, String> rename, String prefix) {
    NodeProto.Builder b =
        n.toBuilder().clearInput().clearOutput().clearAttribute().setName(prefix + n.getName());
    n.getInputList().forEach(i -> b.addInput(rename.getOrDefault(i, i)));
    n.getOutputList().forEach(o -> b.addOutput(rename.getOrDefault(o, o)));
    for (AttributeProto a : n.getAttributeList()) {
      AttributeProto.Builder ab = a.toBuilder();
      if (a.hasG()) ab.setG(renamedSubgraph(a.getG(), rename, prefix));
      if (a.getGraphsCount() > 0) {
        ab.clearGraphs();
        a.getGraphsList().forEach(sg -> ab.addGraphs(renamedSubgraph(sg, rename, prefix)));
      }
      b.addAttribute(ab);
    }
    return b.build();
  }

  /** A subgraph's own names shadow the outer ones; only outer references are renamed. */
  private static GraphProto renamedSubgraph(
      GraphProto g, Map<String, String> outer, String prefix) {
    Map<String, String> visible = new HashMap<>(outer);
    g.getInputList().forEach(v -> visible.remove(v.getName()));
    g.getInitializerList().forEach(t -> visible.remove(t.getName()));
    g.getNodeList().forEach(n -> n.getOutputList().forEach(visible::remove));
    GraphProto.Builder b = g.toBuilder().clearNode();
    g.getNodeList().forEach(n -> b.addNode(renamed(n, visible, prefix)));
    // outputs of a subgraph may be outer tensors passed straight through
    for (int i = 0; i < g.getOutputCount(); i++) {
      String name = g.getOutput(i).getName();
      b.setOutput(i, g.getOutput(i).toBuilder().setName(visible.getOrDefault(name, name)));
    }
    return b.build();
  }
}
