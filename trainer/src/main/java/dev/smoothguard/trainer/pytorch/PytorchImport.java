package dev.smoothguard.trainer.pytorch;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.smoothing.model.ModelCard;
import dev.smoothguard.smoothing.onnx.Interpolation;
import dev.smoothguard.trainer.export.Preprocessing;
import dev.smoothguard.trainer.export.VitOnnx;
import dev.smoothguard.trainer.export.VitWeights;
import dev.smoothguard.trainer.export.VitWeights.Pooling;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;

/**
 * {@code export --from-pytorch}: a timm-named ViT checkpoint → {@code NAME.onnx} ([N,C,S,S] pixels
 * in [0,1] → logits) + model card {@code NAME.json} recording the source file's sha256, the
 * inferred architecture and the options.
 */
public final class PytorchImport {
  /** ImageNet's statistics: timm's default and DMAE's for its ImageNet models. */
  public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};

  public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

  /** ONNX's protobuf holds at most 2 GiB in one file (no external-data support here). */
  private static final long MAX_WEIGHT_BYTES = (1L << 31) - (64L << 20);

  private PytorchImport() {}

  /**
   * What to import and how.
   *
   * @param checkpoint the .pth/.pt or .safetensors file
   * @param stateKey where the state dict is (null: the top level)
   * @param heads attention heads
   * @param inputSize S of the exported graph's input (null: the ViT's own size, no resize)
   * @param resizeTo R the ViT takes, checked against the checkpoint's positions (null: inferred)
   * @param resizeMode how S is resized to R when they differ
   * @param mean per-channel mean, or null for ImageNet's (3 channels only)
   * @param std per-channel std, or null with mean
   * @param normalise false for no normalisation at all
   * @param pooling the head's pooling, or null to infer it
   * @param layerNormEps LayerNorm epsilon (timm: 1e-6)
   */
  public record Request(
      Path checkpoint,
      String stateKey,
      int heads,
      Integer inputSize,
      Integer resizeTo,
      Interpolation resizeMode,
      float[] mean,
      float[] std,
      boolean normalise,
      Pooling pooling,
      float layerNormEps) {}

  /** What goes into the card besides what the import infers. */
  public record CardFields(
      String name,
      String version,
      String dataset,
      List<String> classNames,
      double sigma,
      String command,
      ModelCard.Certification certification) {}

  /** The ViT and its preprocessing, as the ONNX graph will compute them. */
  public record Converted(VitWeights weights, Preprocessing preprocessing, String format) {}

  /** Reads the checkpoint and builds the ViT, without writing anything. */
  public static Converted convert(Request r) throws IOException {
    try (PytorchCheckpoint ckpt = PytorchCheckpoint.open(r.checkpoint())) {
      String source = r.checkpoint().getFileName().toString();
      VitWeights w =
          TimmVit.build(
              ckpt.stateDict(r.stateKey()), source, r.heads(), r.layerNormEps(), r.pooling());
      return new Converted(w, preprocessing(r, w, source), ckpt.format());
    }
  }

  private static Preprocessing preprocessing(Request r, VitWeights w, String source) {
    if (r.resizeTo() != null && r.resizeTo() != w.imageSize()) {
      throw new CheckpointException(
          source
              + ": --resize-to "
              + r.resizeTo()
              + ", but the checkpoint's pos_embed is for "
              + w.imageSize()
              + "x"
              + w.imageSize()
              + " images ("
              + w.grid()
              + "x"
              + w.grid()
              + " patches of "
              + w.patch()
              + "); the ViT must see that size (position interpolation is not supported)");
    }
    int inputSize = r.inputSize() != null ? r.inputSize() : w.imageSize();
    if (!r.normalise()) return new Preprocessing(inputSize, r.resizeMode(), null, null);
    float[] mean = r.mean();
    float[] std = r.std();
    if ((mean == null) != (std == null))
      throw new UserError("give both --mean and --std, or neither");
    if (mean == null) {
      if (w.channels() != 3) {
        throw new CheckpointException(
            source
                + ": the model takes "
                + w.channels()
                + " channel(s); give --mean and --std (one value per channel) or --mean none");
      }
      mean = IMAGENET_MEAN;
      std = IMAGENET_STD;
    }
    if (mean.length != w.channels() || std.length != w.channels()) {
      throw new UserError(
          "--mean/--std need "
              + w.channels()
              + " values each (the model's channels), got "
              + mean.length
              + " and "
              + std.length);
    }
    for (float v : std)
      if (!(v > 0)) throw new UserError("--std values must be positive, got " + v);
    return new Preprocessing(inputSize, r.resizeMode(), mean, std);
  }

  /** Converts, writes the ONNX file and its card, and returns the card. */
  public static ModelCard export(Request r, CardFields fields, Path onnx) throws IOException {
    long start = System.nanoTime();
    String checkpointSha = sha256(r.checkpoint());
    Converted c = convert(r);
    VitWeights w = c.weights();
    long weightBytes = 4L * parameterCount(w);
    if (weightBytes > MAX_WEIGHT_BYTES) {
      throw new CheckpointException(
          r.checkpoint().getFileName()
              + ": "
              + weightBytes / (1 << 20)
              + " MB of weights do not fit a single ONNX file (protobuf's 2 GB limit)");
    }
    if (fields.classNames() != null && fields.classNames().size() != w.numClasses()) {
      throw new UserError(
          "--class-names has "
              + fields.classNames().size()
              + " names, the model "
              + w.numClasses()
              + " classes");
    }
    ModelProto proto = VitOnnx.export(w, c.preprocessing());
    String onnxSha = write(proto, onnx);
    Preprocessing pre = c.preprocessing();
    ModelCard.Source source =
        new ModelCard.Source(
            r.checkpoint().getFileName().toString(),
            checkpointSha,
            c.format(),
            r.stateKey(),
            architecture(w),
            describe(pre, w));
    ModelCard card =
        new ModelCard(
            fields.name(),
            fields.version(),
            fields.dataset(),
            fields.classNames(),
            List.of(w.channels(), pre.inputSize(), pre.inputSize()),
            fields.sigma(),
            configName(w),
            null,
            List.of(
                new ModelCard.TrainingStep(
                    fields.command(), Math.rint((System.nanoTime() - start) / 1e7) / 100)),
            onnxSha,
            fields.certification(),
            source);
    card.write(ModelCard.cardPathFor(onnx));
    return card;
  }

  /** e.g. "timm-vit-p16-d768-x12-h12-mean" (patch, width, depth, heads, pooling). */
  public static String configName(VitWeights w) {
    return "timm-vit-p"
        + w.patch()
        + "-d"
        + w.width()
        + "-x"
        + w.depth()
        + "-h"
        + w.heads()
        + "-"
        + (w.pooling() == Pooling.CLASS_TOKEN ? "token" : "mean");
  }

  /** What the import inferred, for the card and the command's output. */
  public static Map<String, Object> architecture(VitWeights w) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("family", "timm VisionTransformer");
    a.put("channels", w.channels());
    a.put("imageSize", w.imageSize());
    a.put("patch", w.patch());
    a.put("width", w.width());
    a.put("depth", w.depth());
    a.put("heads", w.heads());
    a.put("mlpWidth", w.mlpWidth());
    a.put("classes", w.numClasses());
    a.put("classToken", w.clsToken() != null);
    a.put("pooling", w.pooling() == Pooling.CLASS_TOKEN ? "class token" : "mean of patch tokens");
    a.put("tokenNorm", w.tokenNorm() != null ? "norm" : "none");
    a.put("pooledNorm", w.pooledNorm() != null ? "fc_norm" : "none");
    a.put("layerNormEps", Double.parseDouble(Float.toString(w.layerNormEps())));
    a.put("parameters", parameterCount(w));
    return a;
  }

  private static Map<String, Object> describe(Preprocessing p, VitWeights w) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("inputSize", p.inputSize());
    m.put(
        "resize",
        p.inputSize() == w.imageSize()
            ? "none"
            : p.resize().label()
                + " "
                + p.inputSize()
                + "->"
                + w.imageSize()
                + " (after the noise)");
    m.put("mean", p.mean() == null ? "none" : floats(p.mean()));
    m.put("std", p.std() == null ? "none" : floats(p.std()));
    return m;
  }

  private static List<Double> floats(float[] v) {
    Double[] out = new Double[v.length];
    // shortest decimal of the float, not its binary expansion as a double
    for (int i = 0; i < v.length; i++) out[i] = Double.parseDouble(Float.toString(v[i]));
    return Arrays.asList(out);
  }

  static long parameterCount(VitWeights w) {
    long n =
        w.patchWeight().length
            + w.patchBias().length
            + w.positions().length
            + (w.clsToken() == null ? 0 : w.clsToken().length);
    for (VitWeights.Block b : w.blocks()) {
      n += 2L * (b.norm1().scale().length + b.norm2().scale().length);
      for (VitWeights.Linear l : List.of(b.qkv(), b.proj(), b.fc1(), b.fc2()))
        n += l.weight().length + l.bias().length;
    }
    if (w.tokenNorm() != null) n += 2L * w.tokenNorm().scale().length;
    if (w.pooledNorm() != null) n += 2L * w.pooledNorm().scale().length;
    return n + w.head().weight().length + w.head().bias().length;
  }

  /** Streams the model to disk (the weights can be hundreds of MB) and returns its sha256. */
  private static String write(ModelProto proto, Path onnx) throws IOException {
    Path parent = onnx.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    MessageDigest sha = sha256Digest();
    try (OutputStream out =
        new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(onnx)), sha)) {
      proto.writeTo(out);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static String sha256(Path file) throws IOException {
    MessageDigest sha = sha256Digest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One line per inferred property, for the command's output. */
  public static String summary(Map<String, Object> architecture) {
    StringBuilder b = new StringBuilder();
    for (Entry<String, Object> e : architecture.entrySet()) {
      if (b.length() > 0) b.append(", ");
      b.append(e.getKey()).append('=').append(e.getValue());
    }
    return b.toString();
  }
}
