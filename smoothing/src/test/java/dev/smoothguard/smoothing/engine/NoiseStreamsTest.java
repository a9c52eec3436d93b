package dev.smoothguard.smoothing.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The host noise on the real generator. Bounds are 5 standard errors: for N independent N(0,1)
 * values the sample mean has standard error 1/√N, the sample variance √(2/N), and the correlation
 * of N independent pairs 1/√N.
 */
class NoiseStreamsTest {
  static final int VALUES = 784;

  static float[] noise(NoiseStreams s, long first, int count) {
    FloatBuffer buf = FloatBuffer.allocate(count * VALUES);
    s.fill(buf, first, count);
    return buf.array();
  }

  static NoiseStreams streams(long key, double sigma) {
    return new NoiseStreams(key, sigma, VALUES, NoiseStreams.GUARANTEED_OUTPUTS_PER_STREAM);
  }

  static double correlation(float[] a, float[] b) {
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    int n = a.length;
    for (int i = 0; i < n; i++) {
      sa += a[i];
      sb += b[i];
      saa += (double) a[i] * a[i];
      sbb += (double) b[i] * b[i];
      sab += (double) a[i] * b[i];
    }
    double cov = sab / n - sa / n * sb / n;
    return cov / Math.sqrt((saa / n - sa / n * sa / n) * (sbb / n - sb / n * sb / n));
  }

  @Test
  void meanAndVarianceAreSigmaScaledStandardNormal() {
    double sigma = 0.5;
    float[] x = noise(streams(42, sigma), 0, 256);
    int n = x.length;
    double sum = 0, sumSq = 0;
    for (float v : x) {
      sum += v / sigma;
      sumSq += (v / sigma) * (v / sigma);
    }
    double mean = sum / n;
    double variance = sumSq / n - mean * mean;
    assertEquals(0, mean, 5 / Math.sqrt(n), "mean");
    assertEquals(1, variance, 5 * Math.sqrt(2.0 / n), "variance");
  }

  @Test
  void samplesOfNeighbouringPositionsAndChunksAreUncorrelated() {
    NoiseStreams s = streams(7, 1);
    float[] first = noise(s, 0, 128); // one chunk
    float[] next = noise(s, 128, 128); // the next chunk
    float[] shifted = noise(s, 1, 128); // the same positions shifted by one sample
    double bound = 5 / Math.sqrt(first.length);
    assertTrue(
        Math.abs(correlation(first, next)) < bound,
        "chunk vs next chunk " + correlation(first, next));
    assertTrue(
        Math.abs(correlation(first, shifted)) < bound,
        "sample vs next sample " + correlation(first, shifted));
  }

  @Test
  void seedsThatAFloat32WouldMergeGiveDifferentNoise() {
    // 2^24 and 2^24+1 are one float32; 0, 1, -1 and 2^31-1 all gave one stream in the graph
    long[] seeds = {
      1L << 24, (1L << 24) + 1, 0, 1, -1, Integer.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE
    };
    float[][] noise = new float[seeds.length][];
    for (int i = 0; i < seeds.length; i++) noise[i] = noise(streams(seeds[i], 1), 0, 64);
    double bound = 5 / Math.sqrt(noise[0].length);
    for (int i = 0; i < seeds.length; i++) {
      for (int j = i + 1; j < seeds.length; j++) {
        double r = correlation(noise[i], noise[j]);
        assertTrue(
            Math.abs(r) < bound, "seeds " + seeds[i] + " and " + seeds[j] + ": correlation " + r);
      }
    }
  }

  @Test
  void aPositionsNoiseDoesNotDependOnTheChunkThatDrawsIt() {
    NoiseStreams s = streams(-3, 0.25);
    float[] whole = noise(s, 10, 9);
    float[] parts = new float[whole.length];
    System.arraycopy(noise(s, 10, 4), 0, parts, 0, 4 * VALUES);
    System.arraycopy(noise(s, 14, 5), 0, parts, 4 * VALUES, 5 * VALUES);
    assertArrayEquals(whole, parts);
    assertArrayEquals(whole, noise(streams(-3, 0.25), 10, 9), "same key, same noise");
    assertFalse(Arrays.equals(whole, noise(streams(-2, 0.25), 10, 9)), "another key, same noise");
  }

  @Test
  void positionsAreHandedOutOnceAndInOrder() {
    NoiseStreams s = streams(1, 1);
    assertEquals(0, s.reserve(100));
    assertEquals(100, s.reserve(28));
    assertEquals(128, s.reserve(1));
  }

  @Test
  void refusesImagesThatNeedMoreOutputsThanTheGeneratorGuarantees() {
    // with a guarantee of 1 000 outputs per stream, 784 values (2 outputs counted each) are too
    // many
    ModelException e =
        assertThrows(ModelException.class, () -> new NoiseStreams(1, 1, VALUES, 1_000));
    assertTrue(
        e.getMessage().contains("L64X128MixRandom") && e.getMessage().contains("1000"),
        e.getMessage());
    assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
    new NoiseStreams(1, 1, 500, 1_000); // 1 000 outputs: exactly the limit
    // the real limit is far beyond any image: a 3x4096x4096 image counts 1e8 outputs
    assertTrue(NoiseStreams.GUARANTEED_OUTPUTS_PER_STREAM > 1L << 60);
  }
}
