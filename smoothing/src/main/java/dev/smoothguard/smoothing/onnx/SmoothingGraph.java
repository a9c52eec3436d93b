package dev.smoothguard.smoothing.onnx;

import static dev.smoothguard.smoothing.onnx.Protos.attr;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.util.List;
import java.util.OptionalLong;

/**
 * Wraps a classifier into the smoothing graph: one image in, the class counts of a whole Monte
 * Carlo batch out, with the Gaussian noise drawn inside the graph.
 *
 * <pre>
 * image [1,C,h,w], batch [1] (int64)
 *   -> Expand to [batch,C,h,w] -> + RandomNormalLike(scale=sigma[, seed])
 *   -> (Resize to the classifier's H,W when h,w differ, bilinear or bicubic; the radius stays
 *       in h,w pixel space)
 *   -> Reshape to [-1,C,H,W] (static shape for the classifier's optimisations)
 *   -> classifier -> ArgMax -> OneHot(K) -> ReduceSum over the batch -> counts [K] (int64)
 * </pre>
 *
 * The batch size is an input, so one session serves every batch size, the last partial batch
 * included.
 */
public final class SmoothingGraph {
  public static final String IMAGE = "image";
  public static final String BATCH = "batch";
  public static final String COUNTS = "counts";

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
   * @param seed fixed generator seed; empty = fresh noise every run
   * @param resize how noisy images are resized when h,w differ from H,W
   */
  public record Spec(int channels, int imageHeight, int imageWidth, int modelHeight,
      int modelWidth, int numClasses, double sigma, OptionalLong seed, Interpolation resize) {

    /** Bilinear resize. */
    public Spec(int channels, int imageHeight, int imageWidth, int modelHeight, int modelWidth,
        int numClasses, double sigma, OptionalLong seed) {
      this(channels, imageHeight, imageWidth, modelHeight, modelWidth, numClasses, sigma, seed,
          Interpolation.BILINEAR);
    }
  }

  private SmoothingGraph() {}

  /** The default-domain opset of a model (ONNX's rule: absent means opset 1). */
  public static long defaultOpset(ModelProto model) {
    return model.getOpsetImportList().stream()
        .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
        .mapToLong(OperatorSetIdProto::getVersion).max().orElse(1);
  }

  public static ModelProto wrap(ModelProto classifier, Spec spec) {
    long opset = defaultOpset(classifier);
    if (opset < MIN_OPSET) {
      throw new IllegalArgumentException("classifier uses ONNX opset " + opset
          + "; the smoothing graph needs opset >= " + MIN_OPSET + " (re-export the model)");
    }
    GraphBuilder g = new GraphBuilder("smoothing", opset);
    classifier.getOpsetImportList().stream()
        .filter(o -> !(o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")))
        .forEach(o -> g.importOpset(o.getDomain(), o.getVersion()));

    int c = spec.channels();
    String image = g.input(IMAGE, DataType.FLOAT, 1L, (long) c, (long) spec.imageHeight(), (long) spec.imageWidth());
    String batch = g.input(BATCH, DataType.INT64, 1L);
    String copies = repeat(g, image, batch, c, spec.imageHeight(), spec.imageWidth());
    String noisy = addGaussianNoise(g, copies, spec.sigma(), spec.seed());
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

  /** x + N(0, sigma²) per element. ONNX's seed attribute is a float; it is used as given. */
  public static String addGaussianNoise(GraphBuilder g, String x, double sigma, OptionalLong seed) {
    String noise = seed.isPresent()
        ? g.node("RandomNormalLike", List.of(x), attr("dtype", 1L), attr("mean", 0f),
            attr("scale", (float) sigma), attr("seed", (float) seed.getAsLong()))
        : g.node("RandomNormalLike", List.of(x), attr("dtype", 1L), attr("mean", 0f),
            attr("scale", (float) sigma));
    return g.node("Add", List.of(x, noise));
  }

  /** Bilinear resize of [batch,C,h,w] to [batch,C,H,W]. */
  public static String resize(GraphBuilder g, String x, String batch, int c, int h, int w) {
    return resize(g, x, batch, c, h, w, Interpolation.BILINEAR);
  }

  /** Resize of [batch,C,h,w] to [batch,C,H,W] as PyTorch's interpolate in that mode. */
  public static String resize(GraphBuilder g, String x, String batch, int c, int h, int w,
      Interpolation mode) {
    String sizes = g.node("Concat", List.of(batch, g.longs("chw_out", c, h, w)), attr("axis", 0L));
    return mode.resize(g, x, sizes);
  }

  /** logits [B,K] -> how many rows voted for each class, [K] int64. */
  public static String voteCounts(GraphBuilder g, String logits, int k) {
    String top = g.node("ArgMax", List.of(logits), attr("axis", 1L), attr("keepdims", 0L));
    String oneHot = g.node("OneHot", List.of(top, g.longScalar("depth", k), g.longs("off_on", 0, 1)),
        attr("axis", -1L));
    return g.opset() >= 13
        ? g.node("ReduceSum", List.of(oneHot, g.longs("batch_axis", 0)), attr("keepdims", 0L))
        : g.node("ReduceSum", List.of(oneHot), attr("axes", new long[] {0}), attr("keepdims", 0L));
  }
}
