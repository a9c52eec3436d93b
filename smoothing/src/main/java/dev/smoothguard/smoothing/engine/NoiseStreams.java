package dev.smoothguard.smoothing.engine;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The Gaussian noise of one (sigma, seed, image size) on the host: sample i of the key draws its
 * {@code valuesPerSample} values from its own L64X128MixRandom stream, whose four 64-bit parameters
 * (LCG addend and multiplier state, xoroshiro state) are mixed from (key, i). So the noise of a
 * sample depends only on the key and its position, never on the chunk or thread that draws it: a
 * seed gives the same counts whatever the thread count and chunk size. Distinct (key, i) get
 * distinct LCG addends, which is how LXM splits independent streams.
 *
 * <p>Positions are handed out in order ({@link #reserve}), so a sequential program with a seed is
 * reproducible run to run, and no position is ever drawn twice.
 */
final class NoiseStreams {
  static final String ALGORITHM = "L64X128MixRandom";

  /**
   * Generator outputs one stream may give. L64X128MixRandom's period is 2^64·(2^128−1); its LCG
   * half alone repeats after 2^64. We stay a factor 4 below that.
   */
  static final long GUARANTEED_OUTPUTS_PER_STREAM = 1L << 62;

  /**
   * Outputs counted per Gaussian value: the ziggurat takes one 64-bit output for most values and a
   * few more in its wedges and tails; 2 is a safe average.
   */
  static final int OUTPUTS_PER_GAUSSIAN = 2;

  private static final RandomGeneratorFactory<RandomGenerator> LXM =
      RandomGeneratorFactory.of(ALGORITHM);
  private static final SecureRandom ENTROPY = new SecureRandom();
  private static final long GOLDEN = 0x9e3779b97f4a7c15L;

  private final long key;
  private final float sigma;
  private final int valuesPerSample;
  private final AtomicLong nextPosition = new AtomicLong();

  /**
   * @param key the seed, or fresh entropy for unseeded engines
   * @param maxOutputsPerStream what the generator guarantees (tests pass a small one)
   */
  NoiseStreams(long key, double sigma, int valuesPerSample, long maxOutputsPerStream) {
    if ((long) valuesPerSample * OUTPUTS_PER_GAUSSIAN > maxOutputsPerStream) {
      throw new ModelException(
          "an image of "
              + valuesPerSample
              + " values needs up to "
              + (long) valuesPerSample * OUTPUTS_PER_GAUSSIAN
              + " outputs of one "
              + ALGORITHM
              + " stream, more than the "
              + maxOutputsPerStream
              + " it guarantees without repeating");
    }
    this.key = key;
    this.sigma = (float) sigma;
    this.valuesPerSample = valuesPerSample;
  }

  /** A fresh 64-bit key from the system's entropy: every unseeded graph gets its own streams. */
  static long freshKey() {
    return ENTROPY.nextLong();
  }

  /** The next {@code num} positions of this key; returns the first. */
  long reserve(int num) {
    long first = nextPosition.getAndAdd(num);
    if (first < 0 || first + num < 0)
      throw new ModelException("noise positions of this seed are used up");
    return first;
  }

  /** Writes sigma·N(0,1) noise of samples first .. first+count-1 to out (from its position). */
  void fill(FloatBuffer out, long first, int count) {
    float[] values = new float[valuesPerSample];
    for (int i = 0; i < count; i++) {
      RandomGenerator g = stream(first + i);
      for (int v = 0; v < values.length; v++) values[v] = sigma * (float) g.nextGaussian();
      out.put(values);
    }
  }

  /** The generator of one sample position. */
  RandomGenerator stream(long position) {
    // double mixing: no (key, position) pair maps to another pair's inputs by shifting the key
    long base = mix64(key);
    ByteBuffer seed = ByteBuffer.allocate(32);
    for (int j = 1; j <= 4; j++) seed.putLong(mix64(base + GOLDEN * (4 * position + j)));
    return LXM.create(seed.array());
  }

  /** Stafford's variant 13 of the MurmurHash3 finaliser (as in SplitMix64). */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
