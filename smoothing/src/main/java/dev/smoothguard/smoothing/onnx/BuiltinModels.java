package dev.smoothguard.smoothing.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * MNIST-sized classifiers with random (He-initialised, seeded) weights, for benchmarks and
 * tests that need a realistic compute cost but no trained accuracy. Input [N,1,28,28], output
 * logits [N,10]. Named {@code builtin:NAME} on the command line.
 */
public final class BuiltinModels {
  private BuiltinModels() {}

  public static final List<String> NAMES = List.of("mnist-cnn", "mnist-mlp");
  private static final int SIDE = 28;
  private static final int CLASSES = 10;

  public static ModelProto build(String name, long seed) {
    return switch (name) {
      case "mnist-cnn" -> cnn(seed);
      case "mnist-mlp" -> mlp(seed);
      default -> throw new IllegalArgumentException(
          "unknown builtin model '" + name + "'; known: " + NAMES);
    };
  }

  /** Writes {@code builtin:NAME} to a file (so every consumer can treat it as an ONNX path). */
  public static Path write(String name, Path file) throws IOException {
    Files.write(file, build(name, 42).toByteArray());
    return file;
  }

  /** conv3x3(32)-relu-pool, conv3x3(64)-relu-pool, dense 3136->128-relu, dense 128->10. */
  static ModelProto cnn(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    GraphBuilder g = new GraphBuilder("mnist_cnn", 17);
    String x = g.input("pixels", DataType.FLOAT, "N", 1L, (long) SIDE, (long) SIDE);
    x = g.maxPool2(g.relu(g.conv(x, he(rnd, 32 * 9, 9), new float[32], 1, 32, 3)));
    x = g.maxPool2(g.relu(g.conv(x, he(rnd, 64 * 32 * 9, 32 * 9), new float[64], 32, 64, 3)));
    x = g.flatten(x);
    int flat = 64 * 7 * 7;
    x = g.relu(g.dense(x, he(rnd, 128 * flat, flat), new float[128], flat, 128));
    x = g.dense(x, he(rnd, CLASSES * 128, 128), new float[CLASSES], 128, CLASSES);
    g.addNode("Identity", List.of(x), List.of("logits"));
    g.output("logits", DataType.FLOAT, "N", (long) CLASSES);
    return g.model("smoothguard builtin");
  }

  /** dense 784->256-relu, dense 256->10. */
  static ModelProto mlp(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    GraphBuilder g = new GraphBuilder("mnist_mlp", 17);
    String x = g.flatten(g.input("pixels", DataType.FLOAT, "N", 1L, (long) SIDE, (long) SIDE));
    int in = SIDE * SIDE;
    x = g.relu(g.dense(x, he(rnd, 256 * in, in), new float[256], in, 256));
    x = g.dense(x, he(rnd, CLASSES * 256, 256), new float[CLASSES], 256, CLASSES);
    g.addNode("Identity", List.of(x), List.of("logits"));
    g.output("logits", DataType.FLOAT, "N", (long) CLASSES);
    return g.model("smoothguard builtin");
  }

  /** He-normal weights: N(0, 2/fanIn). */
  private static float[] he(SplittableRandom rnd, int count, int fanIn) {
    float[] w = new float[count];
    double std = Math.sqrt(2.0 / fanIn);
    for (int i = 0; i < count; i++) w[i] = (float) (gaussian(rnd) * std);
    return w;
  }

  private static double gaussian(SplittableRandom rnd) {
    // Box-Muller; SplittableRandom has no nextGaussian in Java 17's API surface for all JDKs
    double u = 1 - rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }
}
