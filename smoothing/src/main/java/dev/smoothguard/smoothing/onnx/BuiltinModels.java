package dev.smoothguard.smoothing.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * MNIST-sized classifiers with random (He-initialised, seeded) weights, for benchmarks and tests
 * that need a realistic compute cost but no trained accuracy: a small MLP, a small CNN and a ViT of
 * the project's default shape (patch 7, width 128, depth 6, 4 heads). Input [N,1,28,28], output
 * logits [N,10]. Named {@code builtin:NAME} on the command line.
 */
public final class BuiltinModels {
  private BuiltinModels() {}

  public static final List<String> NAMES = List.of("mnist-cnn", "mnist-mlp", "mnist-vit");
  private static final int SIDE = 28;
  private static final int CLASSES = 10;

  public static ModelProto build(String name, long seed) {
    return switch (name) {
      case "mnist-cnn" -> cnn(seed);
      case "mnist-mlp" -> mlp(seed);
      case "mnist-vit" -> vit(seed, 7, 128, 6, 4);
      default ->
          throw new IllegalArgumentException(
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

  /**
   * A ViT of the shape the trainer uses (pre-norm blocks, class token, learned positions): patch x
   * patch patches embedded by a strided Conv, {@code depth} blocks of multi-head self-attention and
   * a 4x MLP with GELU, final LayerNorm, class-token head.
   */
  static ModelProto vit(long seed, int patch, int width, int depth, int heads) {
    SplittableRandom rnd = new SplittableRandom(seed);
    GraphBuilder g = new GraphBuilder("mnist_vit", 17);
    int side = SIDE / patch, tokens = side * side + 1, headDim = width / heads;
    String x = g.input("pixels", DataType.FLOAT, "N", 1L, (long) SIDE, (long) SIDE);
    String w =
        g.floats(
            "patch_W",
            new long[] {width, 1, patch, patch},
            he(rnd, width * patch * patch, patch * patch));
    String patches =
        g.node(
            "Conv",
            List.of(x, w, g.floats("patch_b", new long[] {width}, new float[width])),
            Protos.attr("kernel_shape", (long) patch, (long) patch),
            Protos.attr("strides", (long) patch, (long) patch));
    x = g.transpose(g.reshape(patches, 0, width, -1), 0, 2, 1); // [N, patches, width]
    // class token broadcast to the batch: Expand([1,1,D]) to [N,1,D], N taken from x's shape
    String n =
        g.node("Slice", List.of(g.node("Shape", List.of(x)), g.longs("s0", 0), g.longs("s1", 1)));
    String clsShape =
        g.node("Concat", List.of(n, g.longs("one_d", 1, width)), Protos.attr("axis", 0L));
    String cls =
        g.node(
            "Expand",
            List.of(g.floats("cls", new long[] {1, 1, width}, small(rnd, width)), clsShape));
    x = g.node("Concat", List.of(cls, x), Protos.attr("axis", 1L));
    x =
        g.node(
            "Add",
            List.of(x, g.floats("pos", new long[] {1, tokens, width}, small(rnd, tokens * width))));
    float[] ones = new float[width];
    Arrays.fill(ones, 1f);
    String scale = g.floats("attn_scale", new long[0], (float) (1 / Math.sqrt(headDim)));
    for (int layer = 0; layer < depth; layer++) {
      String h = g.layerNorm(x, ones, new float[width]);
      String q =
          g.transpose(
              g.reshape(
                  g.linear(h, he(rnd, width * width, width), new float[width], width, width),
                  0,
                  0,
                  heads,
                  headDim),
              0,
              2,
              1,
              3);
      String k =
          g.transpose(
              g.reshape(
                  g.linear(h, he(rnd, width * width, width), new float[width], width, width),
                  0,
                  0,
                  heads,
                  headDim),
              0,
              2,
              3,
              1);
      String v =
          g.transpose(
              g.reshape(
                  g.linear(h, he(rnd, width * width, width), new float[width], width, width),
                  0,
                  0,
                  heads,
                  headDim),
              0,
              2,
              1,
              3);
      String att =
          g.node(
              "Softmax",
              List.of(g.node("Mul", List.of(g.node("MatMul", List.of(q, k)), scale))),
              Protos.attr("axis", -1L));
      String mixed =
          g.reshape(g.transpose(g.node("MatMul", List.of(att, v)), 0, 2, 1, 3), 0, 0, width);
      x =
          g.node(
              "Add",
              List.of(
                  x,
                  g.linear(mixed, he(rnd, width * width, width), new float[width], width, width)));
      h = g.layerNorm(x, ones, new float[width]);
      h =
          g.gelu(
              g.linear(
                  h, he(rnd, width * 4 * width, width), new float[4 * width], width, 4 * width));
      x =
          g.node(
              "Add",
              List.of(
                  x,
                  g.linear(
                      h,
                      he(rnd, 4 * width * width, 4 * width),
                      new float[width],
                      4 * width,
                      width)));
    }
    x = g.layerNorm(x, ones, new float[width]);
    String clsOut =
        g.node("Gather", List.of(x, g.longScalar("cls_index", 0)), Protos.attr("axis", 1L));
    x = g.dense(clsOut, he(rnd, CLASSES * width, width), new float[CLASSES], width, CLASSES);
    g.addNode("Identity", List.of(x), List.of("logits"));
    g.output("logits", DataType.FLOAT, "N", (long) CLASSES);
    return g.model("smoothguard builtin");
  }

  private static float[] small(SplittableRandom rnd, int count) {
    float[] w = new float[count];
    for (int i = 0; i < count; i++) w[i] = (float) (0.02 * gaussian(rnd));
    return w;
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
