package dev.smoothguard.smoothing.bench;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.onnx.GraphBuilder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The machine's fp32 matrix-multiply rate as ONNX Runtime reaches it: a 2048x2048 by 2048x2048
 * MatMul graph on every core, best of a few runs (2·2048³ FLOPs each). The yardstick for a model's
 * FLOPs x samples/s.
 */
final class GemmPeak {
  static final int SIZE = 2048;

  private GemmPeak() {}

  /** FLOP/s of the best of {@code runs} MatMul runs after one warm-up run. */
  static double flopsPerSecond(int runs) throws OrtException {
    GraphBuilder g = new GraphBuilder("gemm", 17);
    String a = g.input("a", DataType.FLOAT, (long) SIZE, (long) SIZE);
    String b = g.input("b", DataType.FLOAT, (long) SIZE, (long) SIZE);
    g.addNode("MatMul", List.of(a, b), List.of("c"));
    g.output("c", DataType.FLOAT, (long) SIZE, (long) SIZE);
    float[] values = new float[SIZE * SIZE];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < values.length; i++) values[i] = (float) random.nextDouble();
    long[] shape = {SIZE, SIZE};
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        OrtSession s = SmoothingEngine.env().createSession(g.model("gemm").toByteArray(), so);
        OnnxTensor x =
            OnnxTensor.createTensor(SmoothingEngine.env(), FloatBuffer.wrap(values), shape)) {
      double best = Double.MAX_VALUE;
      for (int i = 0; i <= runs; i++) {
        long start = System.nanoTime();
        try (OrtSession.Result r = s.run(Map.of("a", x, "b", x))) {
          if (i > 0) best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
      }
      return 2.0 * SIZE * SIZE * SIZE / best;
    }
  }
}
