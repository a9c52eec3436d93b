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
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A classifier turned into a smoothed classifier. Holds the bare classifier session and the
 * smoothing-graph sessions, built on first use: on the CPU one per image size, fed noise drawn on
 * the host ({@link NoiseSource#HOST}, one {@link NoiseStreams} per sigma, seed and image size); on
 * CUDA one per (sigma, seed, image size) with the noise drawn in the graph ({@link
 * NoiseSource#GRAPH}). All sessions are ONNX Runtime sessions, which are safe to run from several
 * threads at once, so one engine is shared by all callers.
 *
 * <p>Whatever the path, the engine refuses a run whose draws could exceed what its generator
 * guarantees.
 */
public final class SmoothingEngine implements AutoCloseable {
  private final ModelInfo info;
  private final ModelProto classifier;
  private final OrtSession bare;
  private final String device;
  private final EngineOptions options;
  private final Map<GraphKey, OrtSession> smoothing = new ConcurrentHashMap<>();
  private final Map<StreamKey, NoiseStreams> noise = new ConcurrentHashMap<>();
  private final long maxOutputsPerStream;
  private final Map<Long, OnnxTensor> batchSizes = new ConcurrentHashMap<>();

  /** On the CPU, graph runs go in chunks side by side; null on a GPU. */
  private final ParallelRuns parallel;

  private static final int MAX_CACHED_BATCH_SIZES = 64;

  /**
   * Outputs of ONNX Runtime's CPU RandomNormalLike generator (minstd_rand0) before it repeats; one
   * normal takes ~1.27 of them (polar method).
   */
  static final long CPU_GRAPH_GENERATOR_PERIOD = (1L << 31) - 2;

  /**
   * What a smoothing graph is specialised for. With host noise only the image size matters (sigma
   * and seed are NaN and empty); with in-graph noise they are attributes of its nodes.
   */
  private record GraphKey(
      NoiseSource source, double sigma, OptionalLong seed, int height, int width) {}

  /** Whose noise a {@link NoiseStreams} is. */
  private record StreamKey(double sigma, OptionalLong seed, int height, int width) {}

  private SmoothingEngine(
      ModelInfo info,
      ModelProto classifier,
      OrtSession bare,
      String device,
      EngineOptions options,
      long maxOutputsPerStream) {
    this.info = info;
    this.classifier = classifier;
    this.bare = bare;
    this.device = device;
    this.options = options;
    this.maxOutputsPerStream = maxOutputsPerStream;
    this.parallel =
        device.equals("cpu") ? new ParallelRuns(ParallelRuns.workersFor(options)) : null;
  }

  public static SmoothingEngine open(Path onnxModel, EngineOptions options) {
    return open(onnxModel, options, NoiseStreams.GUARANTEED_OUTPUTS_PER_STREAM);
  }

  /** As {@link #open(Path, EngineOptions)}, with another limit per noise stream (for tests). */
  static SmoothingEngine open(Path onnxModel, EngineOptions options, long maxOutputsPerStream) {
    byte[] bytes = ClassifierInspector.read(onnxModel);
    ModelProto proto = ClassifierInspector.parse(onnxModel, bytes);
    OrtSessions.Opened opened =
        OrtSessions.openChoosingDevice(bytes, options, "model " + onnxModel);
    try {
      ClassifierInspector.Shape shape =
          ClassifierInspector.check(onnxModel, opened.session(), options);
      ModelInfo info =
          new ModelInfo(
              onnxModel,
              sha256(bytes),
              shape.channels(),
              shape.height(),
              shape.width(),
              shape.numClasses(),
              cardFor(onnxModel));
      return new SmoothingEngine(
          info, proto, opened.session(), opened.device(), options, maxOutputsPerStream);
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

  /** Where this engine's noise comes from by default: the host on the CPU, the graph on CUDA. */
  public NoiseSource noiseSource() {
    return parallel != null ? NoiseSource.HOST : NoiseSource.GRAPH;
  }

  /**
   * Refuses a seed this engine's noise cannot honour exactly (in-graph noise, i.e. CUDA: only
   * 0..2^24), with one line; services call it at start-up rather than fail on every image.
   */
  public void checkSeed(OptionalLong seed) {
    checkSeed(seed, noiseSource());
  }

  private void checkSeed(OptionalLong seed, NoiseSource source) {
    if (source == NoiseSource.GRAPH
        && seed.isPresent()
        && (seed.getAsLong() < 0 || seed.getAsLong() > SmoothingGraph.MAX_GRAPH_SEED)) {
      throw new ModelException(
          "seed "
              + seed.getAsLong()
              + " cannot be used on "
              + device
              + ", where the noise is drawn in the graph: its seed is a float32 attribute, exact for 0.."
              + SmoothingGraph.MAX_GRAPH_SEED
              + " only; use a seed in that range");
    }
  }

  /** CERTIFY, PREDICT or TARGET for one image, per {@code s.mode()}. */
  public Certificate run(Image x, SmoothingSettings s) {
    long start = System.nanoTime();
    checkImage(x);
    long samples = (s.mode() == Mode.PREDICT ? 0L : s.n0()) + s.n();
    Noisy graph = noisy(noiseSource(), s.sigma(), s.seed(), x, samples);
    try (OnnxTensor image = imageTensor(x)) {
      Smoothing.Sampler sampler = num -> graph.counts(image, num, s.batch());
      Smoothing.Decision d =
          switch (s.mode()) {
            case CERTIFY -> Smoothing.certify(sampler, s);
            case PREDICT -> Smoothing.predict(sampler, s);
            case TARGET -> Smoothing.target(sampler, s);
          };
      return new Certificate(
          s.mode(),
          d.predictedClass(),
          d.radius(),
          d.pALower(),
          d.countTop(),
          d.samplesUsed(),
          d.certifiedAtTarget(),
          device,
          (System.nanoTime() - start) / 1e6);
    } catch (OrtException e) {
      throw new ModelException(
          "running the smoothing graph of " + info.path() + " failed: " + OrtSessions.firstLine(e),
          e);
    }
  }

  /**
   * Class counts of {@code num} noisy copies of {@code x}, drawn in graph runs of at most {@code
   * batch} (the last one partial), with this engine's {@link #noiseSource()}. A seed's noise
   * continues between calls: a program that makes the same calls in the same order gets the same
   * counts.
   */
  public long[] sampleCounts(Image x, double sigma, OptionalLong seed, int num, int batch) {
    return sampleCounts(x, sigma, seed, num, batch, noiseSource());
  }

  /** As above, with the noise from {@code source} (benchmarks compare the two). */
  public long[] sampleCounts(
      Image x, double sigma, OptionalLong seed, int num, int batch, NoiseSource source) {
    checkImage(x);
    Noisy graph = noisy(source, sigma, seed, x, num);
    try (OnnxTensor image = imageTensor(x)) {
      return graph.counts(image, num, batch);
    } catch (OrtException e) {
      throw new ModelException(
          "running the smoothing graph failed: " + OrtSessions.firstLine(e), e);
    }
  }

  /** A smoothing session with its noise: the streams for host noise, null for in-graph noise. */
  private record Noisy(
      SmoothingEngine engine,
      OrtSession session,
      NoiseStreams streams,
      long[] chw,
      boolean seeded) {
    long[] counts(OnnxTensor image, int num, int batch) {
      return streams != null
          ? engine.hostNoiseCounts(session, image, streams, chw, num, batch)
          : engine.graphNoiseCounts(session, image, num, batch, !seeded);
    }
  }

  /** The session and noise for one call, after the generator guard. */
  private Noisy noisy(NoiseSource source, double sigma, OptionalLong seed, Image x, long samples) {
    int h = x.height(), w = x.width();
    long[] chw = {x.channels(), h, w};
    if (source == NoiseSource.HOST) {
      OrtSession session =
          smoothingSession(new GraphKey(source, Double.NaN, OptionalLong.empty(), h, w));
      NoiseStreams streams =
          noise.computeIfAbsent(
              new StreamKey(sigma, seed, h, w),
              k ->
                  new NoiseStreams(
                      seed.orElseGet(NoiseStreams::freshKey),
                      sigma,
                      x.pixels().length,
                      maxOutputsPerStream));
      return new Noisy(this, session, streams, chw, seed.isPresent());
    }
    checkSeed(seed, source);
    // ORT's CPU generator repeats after 2^31-2 outputs, ~1.27 per normal; CUDA's Philox
    // (counter-based, 2^64 counters of 4 outputs) cannot be exhausted by a run
    double outputs = 1.27 * samples * x.pixels().length;
    if (device.equals("cpu") && outputs > CPU_GRAPH_GENERATOR_PERIOD) {
      throw new ModelException(
          String.format(
              "%,d samples of a %dx%dx%d image need ~%,.0f outputs of ONNX"
                  + " Runtime's CPU noise generator, more than its period %,d",
              samples, x.channels(), h, w, outputs, CPU_GRAPH_GENERATOR_PERIOD));
    }
    return new Noisy(
        this,
        smoothingSession(new GraphKey(source, sigma, seed, h, w)),
        null,
        chw,
        seed.isPresent());
  }

  /**
   * Host noise: {@code num} consecutive positions of the streams, in runs of at most {@code batch}
   * (on the CPU at most {@link ParallelRuns#CPU_CHUNK}, side by side). Each run draws the noise of
   * its own positions, so the counts do not depend on who runs it.
   */
  private long[] hostNoiseCounts(
      OrtSession graph, OnnxTensor image, NoiseStreams streams, long[] chw, int num, int batch) {
    long first = streams.reserve(num);
    if (parallel != null) {
      return parallel.counts(
          num,
          Math.min(batch, ParallelRuns.CPU_CHUNK),
          info.numClasses(),
          (offset, size) -> hostNoiseRun(graph, image, streams, chw, first + offset, size));
    }
    long[] total = new long[info.numClasses()];
    for (int offset = 0; offset < num; offset += batch) {
      long[] c =
          hostNoiseRun(graph, image, streams, chw, first + offset, Math.min(batch, num - offset));
      for (int k = 0; k < total.length; k++) total[k] += c[k];
    }
    return total;
  }

  /**
   * One graph run on host noise: the noise of positions first.. first+size-1 into this thread's
   * buffer.
   */
  private long[] hostNoiseRun(
      OrtSession graph, OnnxTensor image, NoiseStreams streams, long[] chw, long first, int size) {
    int values = (int) (chw[0] * chw[1] * chw[2]) * size;
    FloatBuffer buf = NOISE_BUFFER.get();
    if (buf == null || buf.capacity() < values) {
      buf = ByteBuffer.allocateDirect(4 * values).order(ByteOrder.nativeOrder()).asFloatBuffer();
      NOISE_BUFFER.set(buf);
    }
    buf.clear();
    streams.fill(buf, first, size);
    buf.flip();
    try (OnnxTensor noiseTensor =
            OnnxTensor.createTensor(env(), buf, new long[] {size, chw[0], chw[1], chw[2]});
        OrtSession.Result r =
            graph.run(Map.of(SmoothingGraph.IMAGE, image, SmoothingGraph.NOISE, noiseTensor))) {
      return countsOf(r);
    } catch (OrtException e) {
      throw new ModelException(
          "running the smoothing graph of " + info.path() + " failed: " + OrtSessions.firstLine(e),
          e);
    }
  }

  /** Each worker's reusable direct buffer for noise (ONNX Runtime reads it in place). */
  private static final ThreadLocal<FloatBuffer> NOISE_BUFFER = new ThreadLocal<>();

  /**
   * In-graph noise: class counts of {@code num} samples in graph runs of at most {@code batch}.
   * Unseeded graphs on the CPU run in chunks of at most {@link ParallelRuns#CPU_CHUNK} side by
   * side; a seeded graph runs its batches in order on the calling thread, so its noise stream, and
   * with it the counts, stay reproducible.
   */
  private long[] graphNoiseCounts(
      OrtSession graph, OnnxTensor image, int num, int batch, boolean unseeded) {
    if (parallel != null && unseeded) {
      return parallel.counts(
          num,
          Math.min(batch, ParallelRuns.CPU_CHUNK),
          info.numClasses(),
          (offset, size) -> graphNoiseRun(graph, image, size));
    }
    long[] total = new long[info.numClasses()];
    for (int left = num; left > 0; left -= batch) {
      long[] c = graphNoiseRun(graph, image, Math.min(batch, left));
      for (int k = 0; k < total.length; k++) total[k] += c[k];
    }
    return total;
  }

  /** One graph run with in-graph noise: class counts of {@code b} noisy copies. */
  private long[] graphNoiseRun(OrtSession graph, OnnxTensor image, long b) {
    try {
      OnnxTensor cached = cachedBatchSize(b);
      try (OnnxTensor own = cached == null ? batchTensor(b) : null;
          OrtSession.Result r =
              graph.run(
                  Map.of(
                      SmoothingGraph.IMAGE,
                      image,
                      SmoothingGraph.BATCH,
                      cached != null ? cached : own))) {
        return countsOf(r);
      }
    } catch (OrtException e) {
      throw new ModelException(
          "running the smoothing graph of " + info.path() + " failed: " + OrtSessions.firstLine(e),
          e);
    }
  }

  private long[] countsOf(OrtSession.Result r) throws OrtException {
    LongBuffer c = ((OnnxTensor) r.get(0)).getLongBuffer();
    long[] counts = new long[info.numClasses()];
    c.get(counts);
    return counts;
  }

  /**
   * The batch-size input as a tensor. Runs only read it, so one tensor per size is shared by all
   * threads (no allocation per run); a run needs only a few sizes (the batch and the remainders),
   * beyond {@link #MAX_CACHED_BATCH_SIZES} sizes the caller gets null and makes its own.
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
   * native-order direct buffer in place, so no buffer is allocated per call (allocating one per
   * call leaves freed direct memory to the GC and grows the resident set). The tensor must be
   * closed before this thread asks for the next one, as every caller here does.
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
      throw new ModelException(
          "running " + info.path() + " failed: " + OrtSessions.firstLine(e), e);
    }
  }

  public static OrtEnvironment env() {
    return OrtSessions.ENV;
  }

  private OrtSession smoothingSession(GraphKey key) {
    return smoothing.computeIfAbsent(
        key,
        k -> {
          ModelProto graph;
          try {
            SmoothingGraph.Spec spec =
                new SmoothingGraph.Spec(
                    info.channels(),
                    k.height(),
                    k.width(),
                    info.height(),
                    info.width(),
                    info.numClasses(),
                    k.sigma(),
                    k.seed(),
                    options.resize());
            graph =
                k.source() == NoiseSource.HOST
                    ? SmoothingGraph.wrapWithNoiseInput(classifier, spec)
                    : SmoothingGraph.wrap(classifier, spec);
          } catch (IllegalArgumentException e) {
            throw new ModelException("model " + info.path() + ": " + e.getMessage(), e);
          }
          // runs on the CPU go side by side on the engine's workers, one core each; only a seeded
          // in-graph stream runs on the calling thread with the intra-op threads asked for
          boolean sideBySide =
              parallel != null && (k.source() == NoiseSource.HOST || k.seed().isEmpty());
          EngineOptions sessionOptions =
              sideBySide
                  ? new EngineOptions(options.device(), 1, options.height(), options.width())
                  : options;
          return OrtSessions.open(
              graph.toByteArray(), sessionOptions, device, "the smoothing graph of " + info.path());
        });
  }

  private void checkImage(Image x) {
    if (x.channels() != info.channels()) {
      throw new ModelException(
          "image has "
              + x.channels()
              + " channel(s), model "
              + info.name()
              + " expects "
              + info.channels());
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

  private static Optional<ModelCard> cardFor(Path model) {
    try {
      return ModelCard.findFor(model);
    } catch (RuntimeException e) {
      throw new ModelException(
          "model card " + ModelCard.cardPathFor(model) + ": " + e.getMessage(), e);
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
