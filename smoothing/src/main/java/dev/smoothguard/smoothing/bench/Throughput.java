package dev.smoothguard.smoothing.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * The three ways to get class counts of noisy copies of one image that {@code bench}
 * compares, each as "one batch" so they can be timed the same way:
 *
 * <ol>
 *   <li>(a) the smoothing graph: image + batch size in, counts out, noise drawn in the graph;
 *   <li>(b) the bare classifier on one pre-built noisy batch (model cost only);
 *   <li>(c) host noise: Gaussian noise made in Java into a reused direct buffer (the copy into
 *       ONNX Runtime's input), the bare classifier, argmax and counting in Java; with Java 17's
 *       fast ziggurat generator ({@link SplittableRandom#nextGaussian()}) and, as (c'), with the
 *       classic {@link java.util.Random#nextGaussian()} (polar method) most code uses.
 * </ol>
 */
final class Throughput implements AutoCloseable {
  private final SmoothingEngine engine;
  private final Image image;
  private final double sigma;
  private final int batch;
  private final long[] shape;
  private final String input;
  private final OnnxTensor prebuilt;
  private final FloatBuffer hostBuffer;
  private final SplittableRandom random = new SplittableRandom(7);
  private final java.util.Random classic = new java.util.Random(7);

  Throughput(SmoothingEngine engine, Image image, double sigma, int batch) throws OrtException {
    this.engine = engine;
    this.image = image;
    this.sigma = sigma;
    this.batch = batch;
    var m = engine.model();
    this.shape = new long[] {batch, m.channels(), m.height(), m.width()};
    this.input = engine.classifier().getInputNames().iterator().next();
    this.hostBuffer = ByteBuffer.allocateDirect(4 * batch * image.pixels().length)
        .order(ByteOrder.nativeOrder()).asFloatBuffer();
    fillNoisy(hostBuffer);
    this.prebuilt = OnnxTensor.createTensor(SmoothingEngine.env(), hostBuffer, shape);
  }

  /** (a) one graph run. */
  long graphBatch() {
    long[] counts = engine.sampleCounts(image, sigma, OptionalLong.empty(), batch, batch);
    return counts.length;
  }

  /** (b) one classifier run on the same pre-built noisy batch. */
  long bareBatch() throws OrtException {
    try (OrtSession.Result r = engine.classifier().run(Map.of(input, prebuilt))) {
      return r.size();
    }
  }

  /** (c) Java noise, classifier, Java argmax; returns the count of the top class. */
  long hostBatch() throws OrtException {
    FloatBuffer noisy = hostScratch();
    fillNoisy(noisy);
    return classifyAndCount(noisy);
  }

  /** (c') the same with java.util.Random's Gaussian generator. */
  long hostBatchClassic() throws OrtException {
    FloatBuffer noisy = hostScratch();
    float[] x = image.pixels();
    noisy.clear();
    for (int b = 0; b < batch; b++) {
      for (float v : x) noisy.put((float) (v + sigma * classic.nextGaussian()));
    }
    noisy.flip();
    return classifyAndCount(noisy);
  }

  private long classifyAndCount(FloatBuffer noisy) throws OrtException {
    int k = engine.model().numClasses();
    long[] counts = new long[k];
    try (OnnxTensor t = OnnxTensor.createTensor(SmoothingEngine.env(), noisy, shape);
        OrtSession.Result r = engine.classifier().run(Map.of(input, t))) {
      FloatBuffer logits = ((OnnxTensor) r.get(0)).getFloatBuffer();
      for (int row = 0; row < batch; row++) {
        int best = 0;
        for (int c = 1; c < k; c++) {
          if (logits.get(row * k + c) > logits.get(row * k + best)) best = c;
        }
        counts[best]++;
      }
    }
    long top = 0;
    for (long c : counts) top = Math.max(top, c);
    return top;
  }

  private FloatBuffer scratch;

  private FloatBuffer hostScratch() {
    if (scratch == null) {
      scratch = ByteBuffer.allocateDirect(4 * batch * image.pixels().length)
          .order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
    return scratch;
  }

  private void fillNoisy(FloatBuffer out) {
    float[] x = image.pixels();
    out.clear();
    for (int b = 0; b < batch; b++) {
      for (float v : x) out.put((float) (v + sigma * random.nextGaussian()));
    }
    out.flip();
  }

  @Override
  public void close() {
    prebuilt.close();
  }
}
