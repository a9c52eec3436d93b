package dev.smoothguard.smoothing.engine;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.model.ModelCard;
import dev.smoothguard.smoothing.model.ModelInfo;
import dev.smoothguard.smoothing.onnx.SmoothingGraph;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A classifier turned into a smoothed classifier. Holds the bare classifier session and one
 * smoothing-graph session per (sigma, seed, image size), built on first use. All sessions are
 * ONNX Runtime sessions, which are safe to run from several threads at once, so one engine is
 * shared by all callers.
 */
public final class SmoothingEngine implements AutoCloseable {
  private final ModelInfo info;
  private final ModelProto classifier;
  private final OrtSession bare;
  private final String device;
  private final EngineOptions options;
  private final Map<GraphKey, OrtSession> smoothing = new ConcurrentHashMap<>();
  private final Map<Long, OnnxTensor> batchSizes = new ConcurrentHashMap<>();
  /** On the CPU, unseeded graphs run in chunks side by side; null on a GPU. */
  private final ParallelRuns parallel;
  private static final int MAX_CACHED_BATCH_SIZES = 64;

  /** What a smoothing graph is specialised for (sigma and seed are attributes of its nodes). */
  private record GraphKey(double sigma, OptionalLong seed, int height, int width) {}

  private SmoothingEngine(ModelInfo info, ModelProto classifier, OrtSession bare, String device,
      EngineOptions options) {
    this.info = info;
    this.classifier = classifier;
    this.bare = bare;
    this.device = device;
    this.options = options;
    this.parallel = device.equals("cpu") ? new ParallelRuns(ParallelRuns.workersFor(options)) : null;
  }

  public static SmoothingEngine open(Path onnxModel, EngineOptions options) {
    byte[] bytes = ClassifierInspector.read(onnxModel);
    ModelProto proto = ClassifierInspector.parse(onnxModel, bytes);
    OrtSessions.Opened opened =
        OrtSessions.openChoosingDevice(bytes, options, "model " + onnxModel);
    try {
      ClassifierInspector.Shape shape =
          ClassifierInspector.check(onnxModel, opened.session(), options);
      ModelInfo info = new ModelInfo(onnxModel, sha256(bytes), shape.channels(), shape.height(),
          shape.width(), shape.numClasses(), cardFor(onnxModel));
      return new SmoothingEngine(info, proto, opened.session(), opened.device(), options);
    } catch (RuntimeException e) {
      closeQuietly(opened.session());
      throw e;
    }
  }

  public ModelInfo model() {
    return info;
  }

  /** The device the sessions really run on: "cpu" or "cuda:N". */
  public String device() {
    return device;
  }

  /** CERTIFY, PREDICT or TARGET for one image, per {@code s.mode()}. */
  public Certificate run(Image x, SmoothingSettings s) {
    long start = System.nanoTime();
    checkImage(x);
    OrtSession graph = smoothingSession(s.sigma(), s.seed(), x.height(), x.width());
    try (OnnxTensor image = imageTensor(x)) {
      Smoothing.Sampler sampler = num -> counts(graph, image, num, s.batch(), s.seed().isEmpty());
      Smoothing.Decision d = switch (s.mode()) {
        case CERTIFY -> Smoothing.certify(sampler, s);
        case PREDICT -> Smoothing.predict(sampler, s);
        case TARGET -> Smoothing.target(sampler, s);
      };
      return new Certificate(s.mode(), d.predictedClass(), d.radius(), d.pALower(), d.countTop(),
          d.samplesUsed(), d.certifiedAtTarget(), device, (System.nanoTime() - start) / 1e6);
    } catch (OrtException e) {
      throw new ModelException("running the smoothing graph of " + info.path() + " failed: "
          + OrtSessions.firstLine(e), e);
    }
  }

  /**
   * Class counts of {@code num} noisy copies of {@code x}, drawn in graph runs of at most
   * {@code batch} (the last one partial). Seeded graphs continue their stream between calls.
   */
  public long[] sampleCounts(Image x, double sigma, OptionalLong seed, int num, int batch) {
    checkImage(x);
    OrtSession graph = smoothingSession(sigma, seed, x.height(), x.width());
    try (OnnxTensor image = imageTensor(x)) {
      return counts(graph, image, num, batch, seed.isEmpty());
    } catch (OrtException e) {
      throw new ModelException("running the smoothing graph failed: " + OrtSessions.firstLine(e), e);
    }
  }

  /**
   * Class counts of {@code num} samples in graph runs of at most {@code batch}. Unseeded graphs
   * on the CPU run in chunks of at most {@link ParallelRuns#CPU_CHUNK} side by side (see
   * {@link ParallelRuns}); a seeded graph runs its batches in order on the calling thread, so
   * its noise stream, and with it the counts, stay reproducible.
   */
  private long[] counts(OrtSession graph, OnnxTensor image, int num, int batch, boolean unseeded) {
    if (parallel != null && unseeded) {
      return parallel.counts(num, Math.min(batch, ParallelRuns.CPU_CHUNK), info.numClasses(),
          size -> countsOfOneRun(graph, image, size));
    }
    long[] total = new long[info.numClasses()];
    for (int left = num; left > 0; left -= batch) {
      long[] c = countsOfOneRun(graph, image, Math.min(batch, left));
      for (int k = 0; k < total.length; k++) total[k] += c[k];
    }
    return total;
  }

  /** One graph run: class counts of {@code b} noisy copies. */
  private long[] countsOfOneRun(OrtSession graph, OnnxTensor image, long b) {
    try {
      OnnxTensor cached = cachedBatchSize(b);
      try (OnnxTensor own = cached == null ? batchTensor(b) : null;
          OrtSession.Result r = graph.run(Map.of(SmoothingGraph.IMAGE, image,
              SmoothingGraph.BATCH, cached != null ? cached : own))) {
        LongBuffer c = ((OnnxTensor) r.get(0)).getLongBuffer();
        long[] counts = new long[info.numClasses()];
        c.get(counts);
        return counts;
      }
    } catch (OrtException e) {
      throw new ModelException("running the smoothing graph of " + info.path() + " failed: "
          + OrtSessions.firstLine(e), e);
    }
  }

  /**
   * The batch-size input as a tensor. Runs only read it, so one tensor per size is shared by
   * all threads (no allocation per run); a run needs only a few sizes (the batch and the
   * remainders), beyond {@link #MAX_CACHED_BATCH_SIZES} sizes the caller gets null and makes
   * its own.
   */
  private OnnxTensor cachedBatchSize(long b) throws OrtException {
    OnnxTensor cached = batchSizes.get(b);
    if (cached != null || batchSizes.size() >= MAX_CACHED_BATCH_SIZES) return cached;
    OnnxTensor t = batchTensor(b);
    OnnxTensor raced = batchSizes.putIfAbsent(b, t);
    if (raced == null) return t;
    t.close();
    return raced;
  }

  /**
   * The image as a tensor over this thread's reusable direct buffer: ONNX Runtime reads a
   * native-order direct buffer in place, so no buffer is allocated per call (allocating one
   * per call leaves freed direct memory to the GC and grows the resident set). The tensor
   * must be closed before this thread asks for the next one, as every caller here does.
   */
  private static OnnxTensor imageTensor(Image x) throws OrtException {
    int n = x.pixels().length;
    FloatBuffer buf = IMAGE_BUFFER.get();
    if (buf == null || buf.capacity() < n) {
      buf = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
      IMAGE_BUFFER.set(buf);
    }
    buf.clear();
    buf.put(x.pixels()).flip();
    return OnnxTensor.createTensor(env(), buf, x.batchShape());
  }

  private static final ThreadLocal<FloatBuffer> IMAGE_BUFFER = new ThreadLocal<>();

  private static OnnxTensor batchTensor(long b) throws OrtException {
    return OnnxTensor.createTensor(env(), LongBuffer.wrap(new long[] {b}), new long[] {1});
  }

  /**
   * The bare classifier ([N,C,H,W] floats in, [N,K] logits out), thread-safe; for evaluation
   * without noise and for benchmarks. Owned by the engine: do not close it.
   */
  public OrtSession classifier() {
    return bare;
  }

  /** Logits of a batch of images (flattened CHW, {@code batch} of them), row-major [batch,K]. */
  public float[] logits(float[] pixels, int batch) {
    long[] shape = {batch, info.channels(), info.height(), info.width()};
    try (OnnxTensor in = OnnxTensor.createTensor(env(), FloatBuffer.wrap(pixels), shape);
        OrtSession.Result r = bare.run(Map.of(bare.getInputNames().iterator().next(), in))) {
      FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
      float[] logits = new float[out.remaining()];
      out.get(logits);
      return logits;
    } catch (OrtException e) {
      throw new ModelException("running " + info.path() + " failed: " + OrtSessions.firstLine(e), e);
    }
  }

  public static OrtEnvironment env() {
    return OrtSessions.ENV;
  }

  private OrtSession smoothingSession(double sigma, OptionalLong seed, int h, int w) {
    return smoothing.computeIfAbsent(new GraphKey(sigma, seed, h, w), k -> {
      ModelProto graph;
      try {
        graph = SmoothingGraph.wrap(classifier, new SmoothingGraph.Spec(info.channels(), h, w,
            info.height(), info.width(), info.numClasses(), sigma, seed, options.resize()));
      } catch (IllegalArgumentException e) {
        throw new ModelException("model " + info.path() + ": " + e.getMessage(), e);
      }
      // runs of an unseeded CPU graph go side by side on the engine's workers, one core each
      EngineOptions sessionOptions = parallel != null && seed.isEmpty()
          ? new EngineOptions(options.device(), 1, options.height(), options.width())
          : options;
      return OrtSessions.open(graph.toByteArray(), sessionOptions, device,
          "the smoothing graph of " + info.path());
    });
  }

  private void checkImage(Image x) {
    if (x.channels() != info.channels()) {
      throw new ModelException("image has " + x.channels() + " channel(s), model "
          + info.name() + " expects " + info.channels());
    }
  }

  @Override
  public void close() {
    if (parallel != null) parallel.close();
    smoothing.values().forEach(SmoothingEngine::closeQuietly);
    smoothing.clear();
    batchSizes.values().forEach(OnnxTensor::close);
    batchSizes.clear();
    closeQuietly(bare);
  }

  private static void closeQuietly(OrtSession s) {
    try {
      s.close();
    } catch (OrtException e) {
      // closing is best effort; nothing useful to do with a failure here
    }
  }

  private static java.util.Optional<ModelCard> cardFor(Path model) {
    try {
      return ModelCard.findFor(model);
    } catch (RuntimeException e) {
      throw new ModelException("model card " + ModelCard.cardPathFor(model) + ": " + e.getMessage(), e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
