package dev.smoothguard.smoothing.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.engine.NoiseSource;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * The ways to get class counts of noisy copies of one image that {@code bench} compares, each as
 * "one batch" so they can be timed the same way:
 *
 * <ol>
 *   <li>(a) the smoothing graph fed host noise (L64X128MixRandom streams), the CPU's default;
 *   <li>(a') the smoothing graph with the noise drawn in the graph (RandomNormalLike), the GPU's
 *       default and the CPU's before;
 *   <li>(b) the bare classifier on one pre-built noisy batch (model cost only).
 * </ol>
 */
final class Throughput implements AutoCloseable {
  private final SmoothingEngine engine;
  private final Image image;
  private final double sigma;
  private final int batch;
  private final String input;
  private final OnnxTensor prebuilt;

  Throughput(SmoothingEngine engine, Image image, double sigma, int batch) throws OrtException {
    this.engine = engine;
    this.image = image;
    this.sigma = sigma;
    this.batch = batch;
    var m = engine.model();
    long[] shape = {batch, m.channels(), m.height(), m.width()};
    this.input = engine.classifier().getInputNames().iterator().next();
    FloatBuffer noisy =
        ByteBuffer.allocateDirect(4 * batch * image.pixels().length)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    SplittableRandom random = new SplittableRandom(7);
    for (int b = 0; b < batch; b++) {
      for (float v : image.pixels()) noisy.put((float) (v + sigma * random.nextGaussian()));
    }
    noisy.flip();
    this.prebuilt = OnnxTensor.createTensor(SmoothingEngine.env(), noisy, shape);
  }

  /** (a) one call of the smoothing graph with host noise. */
  long hostNoiseBatch() {
    return engine.sampleCounts(image, sigma, OptionalLong.empty(), batch, batch, NoiseSource.HOST)
        .length;
  }

  /** (a') one call of the smoothing graph with in-graph noise. */
  long graphNoiseBatch() {
    return engine.sampleCounts(image, sigma, OptionalLong.empty(), batch, batch, NoiseSource.GRAPH)
        .length;
  }

  /** (b) one classifier run on the same pre-built noisy batch. */
  long bareBatch() throws OrtException {
    try (OrtSession.Result r = engine.classifier().run(Map.of(input, prebuilt))) {
      return r.size();
    }
  }

  @Override
  public void close() {
    prebuilt.close();
  }
}
