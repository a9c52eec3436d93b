package dev.smoothguard.smoothing.onnx;

import static dev.smoothguard.smoothing.onnx.Protos.attr;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.util.List;
import java.util.OptionalLong;

/**
 * Wraps a classifier into the smoothing graph: one image in, the class counts of a whole Monte
 * Carlo batch out. The Gaussian noise is either drawn inside the graph ({@link #wrap}, for the GPU,
 * where copying it in would cost more than the model) or fed in as a second input ({@link
 * #wrapWithNoiseInput}, for the CPU, where the host draws it from a strong generator).
 *
 * <pre>
 * image [1,C,h,w], batch [1] (int64)                  image [1,C,h,w], noise [b,C,h,w]
 *   -> Expand to [batch,C,h,w]                          -> image + noise (broadcast)
 *   -> + RandomNormalLike(scale=sigma[, seed])
 *   -> (Resize to the classifier's H,W when h,w differ, bilinear or bicubic; the radius stays
 *       in h,w pixel space)
 *   -> Reshape to [-1,C,H,W] (static shape for the classifier's optimisations)
 *   -> classifier -> ArgMax -> OneHot(K) -> ReduceSum over the batch -> counts [K] (int64)
 * </pre>
 *
 * The batch size is an input (or the noise's first dimension), so one session serves every batch
 * size, the last partial batch included.
 */
public final class SmoothingGraph {
  public static final String IMAGE = "image";
  public static final String BATCH = "batch";
  public static final String COUNTS = "counts";
  public static final String NOISE = "noise";

  /**
   * Largest seed the in-graph noise takes: RandomNormalLike's seed is a float32 attribute, which
   * holds every integer up to 2^24 exactly and rounds larger ones (2^24 + 1 becomes 2^24).
   */
  public static final long MAX_GRAPH_SEED = 1L << 24;

  /** Oldest default-domain opset the wrapper nodes are written for (Resize/OneHot forms). */
  public static final long MIN_OPSET = 11;

  /**
   * What to wrap and how.
   *
   * @param channels C, shared by image and classifier
   * @param imageHeight h of the images fed in (noise is added at this size)
   * @param imageWidth w
   * @param modelHeight H the classifier expects
   * @param modelWidth W
   * @param numClasses K
   * @param sigma noise standard deviation in [0,1] pixel units
   * @param seed fixed generator seed of the in-graph noise, in [0, {@link #MAX_GRAPH_SEED}]; empty
   *     = fresh noise every run; unused by {@link #wrapWithNoiseInput}
   * @param resize how noisy images are resized when h,w differ from H,W
   */
  public record Spec(
      int channels,
      int imageHeight,
      int imageWidth,
      int modelHeight,
      int modelWidth,
      int numClasses,
      double sigma,
      OptionalLong seed,
      Interpolation resize) {

    /** Bilinear resize. */
    public Spec(
        int channels,
        int imageHeight,
        int imageWidth,
        int modelHeight,
        int modelWidth,
        int numClasses,
        double sigma,
        OptionalLong seed) {
      this(
          channels,
          imageHeight,
          imageWidth,
          modelHeight,
          modelWidth,
          numClasses,
          sigma,
          seed,
          Interpolation.BILINEAR);
    }
  }

  private SmoothingGraph() {}

  /** The default-domain opset of a model (ONNX's rule: absent means opset 1). */
  public static long defaultOpset(ModelProto model) {
    return model.getOpsetImportList().stream()
        .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
        .mapToLong(OperatorSetIdProto::getVersion)
        .max()
        .orElse(1);
  }

  /** The smoothing graph with the noise drawn inside it (RandomNormalLike). */
  public static ModelProto wrap(ModelProto classifier, Spec spec) {
    return build(classifier, spec, false);
  }

  /** The smoothing graph with the noise as an input: image [1,C,h,w] + noise [b,C,h,w]. */
  public static ModelProto wrapWithNoiseInput(ModelProto classifier, Spec spec) {
    return build(classifier, spec, true);
  }

  private static ModelProto build(ModelProto classifier, Spec spec, boolean noiseInput) {
    long opset = defaultOpset(classifier);
    if (opset < MIN_OPSET) {
      throw new IllegalArgumentException(
          "classifier uses ONNX opset "
              + opset
              + "; the smoothing graph needs opset >= "
              + MIN_OPSET
              + " (re-export the model)");
    }
    GraphBuilder g = new GraphBuilder("smoothing", opset);
    classifier.getOpsetImportList().stream()
        .filter(o -> !(o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")))
        .forEach(o -> g.importOpset(o.getDomain(), o.getVersion()));

    int c = spec.channels();
    String image =
        g.input(
            IMAGE,
            DataType.FLOAT,
            1L,
            (long) c,
            (long) spec.imageHeight(),
            (long) spec.imageWidth());
    String batch;
    String noisy;
    if (noiseInput) {
      String noise =
          g.input(
              NOISE,
              DataType.FLOAT,
              "b",
              (long) c,
              (long) spec.imageHeight(),
              (long) spec.imageWidth());
      noisy = g.node("Add", List.of(image, noise));
      batch =
          g.node(
              "Slice",
              List.of(g.node("Shape", List.of(noise)), g.longs("first", 0), g.longs("second", 1)));
    } else {
      batch = g.input(BATCH, DataType.INT64, 1L);
      String copies = repeat(g, image, batch, c, spec.imageHeight(), spec.imageWidth());
      noisy = addGaussianNoise(g, copies, spec.sigma(), spec.seed());
    }
    if (spec.imageHeight() != spec.modelHeight() || spec.imageWidth() != spec.modelWidth()) {
      noisy = resize(g, noisy, batch, c, spec.modelHeight(), spec.modelWidth(), spec.resize());
    }
    // Expand's target shape is computed at run time, so shape inference knows nothing of the
    // result; a constant-shape Reshape restores [?, C, H, W] and with it the classifier's
    // shape-dependent fusions (measured: a ViT ran ~2x slower without it)
    noisy = g.reshape(noisy, -1, c, spec.modelHeight(), spec.modelWidth());
    String logits = GraphInliner.inline(g, classifier.getGraph(), noisy, "clf/");
    String counts = voteCounts(g, logits, spec.numClasses());
    g.addNode("Identity", List.of(counts), List.of(COUNTS));
    g.output(COUNTS, DataType.INT64, (long) spec.numClasses());

    ModelProto wrapped = g.model("smoothguard");
    return wrapped.toBuilder()
        .setIrVersion(Math.max(GraphBuilder.IR_VERSION, classifier.getIrVersion()))
        .addAllFunctions(classifier.getFunctionsList()) // model-local functions the nodes may call
        .build();
  }

  /** [1,C,h,w] -> [batch,C,h,w] (a broadcast view; the noise makes the copies distinct). */
  public static String repeat(GraphBuilder g, String image, String batch, int c, int h, int w) {
    String shape = g.node("Concat", List.of(batch, g.longs("chw", c, h, w)), attr("axis", 0L));
    return g.node("Expand", List.of(image, shape));
  }

  /**
   * x + N(0, sigma²) per element. ONNX's seed attribute is a float32, so only seeds it holds
   * exactly are taken ({@link #graphSeed}); others are refused, never rounded.
   */
  public static String addGaussianNoise(GraphBuilder g, String x, double sigma, OptionalLong seed) {
    String noise =
        seed.isPresent()
            ? g.node(
                "RandomNormalLike",
                List.of(x),
                attr("dtype", 1L),
                attr("mean", 0f),
                attr("scale", (float) sigma),
                attr("seed", graphSeed(seed.getAsLong())))
            : g.node(
                "RandomNormalLike",
                List.of(x),
                attr("dtype", 1L),
                attr("mean", 0f),
                attr("scale", (float) sigma));
    return g.node("Add", List.of(x, noise));
  }

  /**
   * The seed as RandomNormalLike's float32 attribute: seeds in [0, 2^24] are exact; any other is
   * refused (a float32 merges 2^24 and 2^24+1; measured on the CPU kernel, 0, 1, -1 and 2^31-1 all
   * gave one stream).
   */
  public static float graphSeed(long seed) {
    if (seed < 0 || seed > MAX_GRAPH_SEED) {
      throw new IllegalArgumentException(
          "seed "
              + seed
              + " cannot be used for noise drawn in the graph"
              + " (a float32 attribute holds seeds 0.."
              + MAX_GRAPH_SEED
              + " exactly); use a seed in that range");
    }
    return (float) seed;
  }

  /** Bilinear resize of [batch,C,h,w] to [batch,C,H,W]. */
  public static String resize(GraphBuilder g, String x, String batch, int c, int h, int w) {
    return resize(g, x, batch, c, h, w, Interpolation.BILINEAR);
  }

  /** Resize of [batch,C,h,w] to [batch,C,H,W] as PyTorch's interpolate in that mode. */
  public static String resize(
      GraphBuilder g, String x, String batch, int c, int h, int w, Interpolation mode) {
    String sizes = g.node("Concat", List.of(batch, g.longs("chw_out", c, h, w)), attr("axis", 0L));
    return mode.resize(g, x, sizes);
  }

  /** logits [B,K] -> how many rows voted for each class, [K] int64. */
  public static String voteCounts(GraphBuilder g, String logits, int k) {
    String top = g.node("ArgMax", List.of(logits), attr("axis", 1L), attr("keepdims", 0L));
    String oneHot =
        g.node(
            "OneHot",
            List.of(top, g.longScalar("depth", k), g.longs("off_on", 0, 1)),
            attr("axis", -1L));
    return g.opset() >= 13
        ? g.node("ReduceSum", List.of(oneHot, g.longs("batch_axis", 0)), attr("keepdims", 0L))
        : g.node("ReduceSum", List.of(oneHot), attr("axes", new long[] {0}), attr("keepdims", 0L));
  }
}
