package dev.smoothguard.smoothing.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.onnx.BuiltinModels;
import dev.smoothguard.smoothing.onnx.SmoothingGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's noise paths: host noise on the CPU, in-graph noise for CUDA, and their guards. */
class HostNoiseTest {
  @TempDir static Path dir;
  static Path mlp;
  static Path linear;

  @BeforeAll
  static void models() throws IOException {
    mlp = BuiltinModels.write("mnist-mlp", dir.resolve("mlp.onnx"));
    linear = LinearModel.standard().write(dir.resolve("linear.onnx"));
  }

  static EngineOptions cpu(int threads) {
    return new EngineOptions("cpu", threads, OptionalInt.empty(), OptionalInt.empty());
  }

  /** The counts of a certificate-like sequence of calls (selection, then estimation). */
  static List<long[]> certificateCounts(Path model, int threads, long seed, int batch) {
    try (SmoothingEngine e = SmoothingEngine.open(model, cpu(threads))) {
      assertEquals(NoiseSource.HOST, e.noiseSource());
      Image x = NoiseProbe.grey(e);
      List<long[]> out = new ArrayList<>();
      for (int num : new int[] {100, 1_000, 333}) {
        out.add(e.sampleCounts(x, 0.5, OptionalLong.of(seed), num, batch));
      }
      return out;
    }
  }

  @Test
  void aSeedGivesBitIdenticalCountsWhateverTheThreadsAndChunks() {
    for (long seed : new long[] {Long.MIN_VALUE, -1, (1L << 24) + 1}) {
      List<long[]> reference = certificateCounts(mlp, 1, seed, 1_000); // chunks of 128
      for (int[] threadsAndBatch : new int[][] {{2, 1_000}, {2, 37}, {1, 500}, {3, 64}}) {
        List<long[]> other = certificateCounts(mlp, threadsAndBatch[0], seed, threadsAndBatch[1]);
        for (int i = 0; i < reference.size(); i++) {
          assertArrayEquals(
              reference.get(i),
              other.get(i),
              "seed "
                  + seed
                  + ", threads/batch "
                  + threadsAndBatch[0]
                  + "/"
                  + threadsAndBatch[1]
                  + ", call "
                  + i);
        }
      }
    }
  }

  /**
   * At the linear model's boundary a sample's class is the sign of w·noise, whatever sigma: two
   * sigma graphs sharing their noise would give equal counts call after call. Independent, two
   * Binomial(64, 1/2) counts are equal with probability 0.0993; over 200 calls that is ~20 (sd
   * 4.2), so 60 is 9 standard deviations away from independence and 200 from sharing.
   */
  @Test
  void twoSigmaGraphsInOneProcessDrawDifferentNoise() {
    try (SmoothingEngine e = SmoothingEngine.open(linear, cpu(2))) {
      Image boundary = LinearModel.standard().imageAt(0);
      int equal = 0;
      for (int i = 0; i < 200; i++) {
        long[] a = e.sampleCounts(boundary, 0.25, OptionalLong.empty(), 64, 1000);
        long[] b = e.sampleCounts(boundary, 0.5, OptionalLong.empty(), 64, 1000);
        if (a[0] == b[0]) equal++;
      }
      assertTrue(equal < 60, equal + " of 200 calls gave equal counts at two sigmas");
    }
  }

  @Test
  void refusesARunWhoseDrawsExceedTheGeneratorsGuarantee() {
    // an artificial guarantee of 100 outputs per stream: the 4x4 image (16 values, 32 outputs)
    // passes, an 8x8 image (64 values, 128 outputs) is refused with one line
    try (SmoothingEngine e = SmoothingEngine.open(linear, cpu(1), 100)) {
      assertEquals(
          10,
          Arrays.stream(
                  e.sampleCounts(
                      LinearModel.standard().imageAt(1), 0.5, OptionalLong.of(1), 10, 10))
              .sum());
      ModelException ex =
          assertThrows(
              ModelException.class,
              () ->
                  e.sampleCounts(
                      new Image(1, 8, 8, new float[64]), 0.5, OptionalLong.of(1), 10, 10));
      assertTrue(
          ex.getMessage().contains("guarantees") && ex.getMessage().indexOf('\n') < 0,
          ex.getMessage());
    }
  }

  // ---- in-graph noise (the CUDA path), built and run here on the CPU ----

  @Test
  void graphSeedsAreExactOrRefused() {
    assertEquals(16_777_216f, SmoothingGraph.graphSeed(1L << 24));
    assertEquals(0f, SmoothingGraph.graphSeed(0));
    for (long bad :
        new long[] {(1L << 24) + 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> SmoothingGraph.graphSeed(bad));
      assertTrue(e.getMessage().contains(Long.toString(bad)), e.getMessage());
    }
  }

  @Test
  void inGraphNoiseRunsAndRefusesSeedsAndRunsItsGeneratorCannotServe() {
    LinearModel m = LinearModel.standard();
    try (SmoothingEngine e = SmoothingEngine.open(linear, cpu(1))) {
      // far from the boundary every sample votes class 1, through Expand + RandomNormalLike
      long[] c =
          e.sampleCounts(m.imageAt(5), 0.5, OptionalLong.of(1L << 24), 300, 128, NoiseSource.GRAPH);
      assertArrayEquals(new long[] {0, 300}, c);
      // seeded in-graph noise is reproducible in a fresh engine
      long[] a =
          e.sampleCounts(m.imageAt(0), 0.5, OptionalLong.of(99), 500, 500, NoiseSource.GRAPH);
      try (SmoothingEngine again = SmoothingEngine.open(linear, cpu(1))) {
        assertArrayEquals(
            a,
            again.sampleCounts(
                m.imageAt(0), 0.5, OptionalLong.of(99), 500, 500, NoiseSource.GRAPH));
      }
      ModelException seed =
          assertThrows(
              ModelException.class,
              () ->
                  e.sampleCounts(
                      m.imageAt(0),
                      0.5,
                      OptionalLong.of((1L << 24) + 1),
                      10,
                      10,
                      NoiseSource.GRAPH));
      assertTrue(
          seed.getMessage().contains("16777217") && seed.getMessage().contains("float32"),
          seed.getMessage());
      e.checkSeed(OptionalLong.of(Long.MIN_VALUE)); // host noise on this CPU engine: any long
      // ORT's CPU generator (period 2^31-2, ~1.27 outputs per normal): 16 values x 1.1e8 samples is
      // too many
      ModelException period =
          assertThrows(
              ModelException.class,
              () ->
                  e.sampleCounts(
                      m.imageAt(0),
                      0.5,
                      OptionalLong.empty(),
                      110_000_000,
                      1000,
                      NoiseSource.GRAPH));
      assertTrue(period.getMessage().contains("period"), period.getMessage());
    }
  }
}
