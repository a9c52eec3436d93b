package dev.smoothguard.smoothing.engine;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Reads a classifier file and checks it is [N,C,H,W] float in, [N,K] logits out. */
final class ClassifierInspector {
  private ClassifierInspector() {}

  /** The input and output of a checked classifier. */
  record Shape(String input, String output, int channels, int height, int width, int numClasses) {}

  static byte[] read(Path file) {
    if (!Files.exists(file)) throw new ModelException("model " + file + ": no such file");
    if (!Files.isRegularFile(file))
      throw new ModelException("model " + file + ": not a regular file");
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ModelException("model " + file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  static ModelProto parse(Path file, byte[] bytes) {
    ModelProto model;
    try {
      model = ModelProto.parseFrom(bytes);
    } catch (IOException e) {
      throw new ModelException("model " + file + ": not an ONNX model (protobuf parse failed)");
    }
    // random bytes can parse as an empty or near-empty protobuf message
    if (!model.hasGraph() || model.getGraph().getNodeCount() == 0 || model.getIrVersion() == 0) {
      throw new ModelException("model " + file + ": not an ONNX model (no graph)");
    }
    return model;
  }

  static Shape check(Path file, OrtSession session, EngineOptions options) {
    try {
      Map<String, NodeInfo> inputs = session.getInputInfo();
      Map<String, NodeInfo> outputs = session.getOutputInfo();
      if (inputs.size() != 1) {
        throw new ModelException(
            "model "
                + file
                + ": expected one input [N,C,H,W], found "
                + inputs.size()
                + " "
                + inputs.keySet());
      }
      if (outputs.size() != 1) {
        throw new ModelException(
            "model "
                + file
                + ": expected one output of logits [N,K], found "
                + outputs.size()
                + " "
                + outputs.keySet());
      }
      NodeInfo in = inputs.values().iterator().next();
      NodeInfo out = outputs.values().iterator().next();
      if (!(in.getInfo() instanceof TensorInfo ti) || ti.type != OnnxJavaType.FLOAT) {
        throw new ModelException(
            "model "
                + file
                + ": input '"
                + in.getName()
                + "' must be a float tensor, is "
                + in.getInfo());
      }
      long[] s = ti.getShape();
      if (s.length != 4) {
        throw new ModelException(
            "model "
                + file
                + ": input '"
                + in.getName()
                + "' has rank "
                + s.length
                + " "
                + Arrays.toString(s)
                + ", expected rank 4 [N,C,H,W]");
      }
      if (s[0] > 0) {
        throw new ModelException(
            "model "
                + file
                + ": input batch dimension is fixed at "
                + s[0]
                + "; export the model with a dynamic batch dimension");
      }
      if (s[1] <= 0) {
        throw new ModelException(
            "model " + file + ": input channel count C is dynamic; it must be fixed");
      }
      int h = size(file, "height", s[2], options.height().orElse(-1));
      int w = size(file, "width", s[3], options.width().orElse(-1));
      if (!(out.getInfo() instanceof TensorInfo to)
          || to.getShape().length != 2
          || to.type != OnnxJavaType.FLOAT) {
        throw new ModelException(
            "model "
                + file
                + ": output '"
                + out.getName()
                + "' must be float logits of rank 2 [N,K], is "
                + out.getInfo());
      }
      long k = to.getShape()[1];
      if (k <= 0)
        throw new ModelException(
            "model " + file + ": number of classes K (output dim 1) is dynamic");
      return new Shape(in.getName(), out.getName(), (int) s[1], h, w, (int) k);
    } catch (OrtException e) {
      throw new ModelException(
          "model " + file + ": cannot read its inputs/outputs: " + e.getMessage(), e);
    }
  }

  private static int size(Path file, String what, long fromModel, int given) {
    if (fromModel > 0) {
      if (given > 0 && given != fromModel) {
        throw new ModelException(
            "model "
                + file
                + ": input "
                + what
                + " is fixed at "
                + fromModel
                + " but "
                + given
                + " was given");
      }
      return (int) fromModel;
    }
    if (given <= 0) {
      throw new ModelException(
          "model "
              + file
              + ": input "
              + what
              + " is dynamic; give it (--height/--width, EngineOptions.height/width)");
    }
    return given;
  }
}
