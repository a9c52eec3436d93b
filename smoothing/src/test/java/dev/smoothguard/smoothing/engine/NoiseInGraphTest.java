package dev.smoothguard.smoothing.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.onnx.BuiltinModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Properties of the engine's noise (on the CPU drawn on the host): seeding, freshness, sharing,
 * memory.
 */
class NoiseInGraphTest {
  @TempDir static Path dir;
  static Path mlp;

  @BeforeAll
  static void model() throws IOException {
    mlp = BuiltinModels.write("mnist-mlp", dir.resolve("mlp.onnx"));
  }

  /** Runs NoiseProbe in a fresh JVM on the test classpath and returns its stdout. */
  static String probe(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m",
                "-Xmx64m",
                "-XX:+AlwaysPreTouch",
                "-cp",
                System.getProperty("java.class.path"),
                NoiseProbe.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe did not finish");
    assertEquals(0, p.exitValue(), "probe failed: " + out);
    return out;
  }

  @Test
  void seededGraphIsReproducibleAcrossProcessesAndAdvancesBetweenBatches() throws Exception {
    String other = probe("counts", mlp.toString(), "1234", "5", "500");
    List<String> here;
    try (SmoothingEngine e =
        SmoothingEngine.open(mlp, EngineOptions.defaults().withDevice("cpu"))) {
      here = NoiseProbe.runs(e, OptionalLong.of(1234), 5, 500);
    }
    assertEquals(String.join(";", here), other);
    assertTrue(new HashSet<>(here).size() > 1, "seeded batches all equal: " + here);
    try (SmoothingEngine e =
        SmoothingEngine.open(mlp, EngineOptions.defaults().withDevice("cpu"))) {
      assertNotEquals(
          here, NoiseProbe.runs(e, OptionalLong.of(4321), 5, 500), "another seed, same noise");
    }
  }

  @Test
  void unseededGraphDiffersBetweenRunsAndProcesses() throws Exception {
    String a = probe("counts", mlp.toString(), "none", "5", "500");
    String b = probe("counts", mlp.toString(), "none", "5", "500");
    assertNotEquals(a, b);
    List<String> runs = List.of(a.split(";"));
    assertTrue(new HashSet<>(runs).size() > 1, "unseeded batches all equal: " + runs);
  }

  @Test
  void oneEngineIsSharedByConcurrentThreads() throws Exception {
    try (SmoothingEngine e =
        SmoothingEngine.open(mlp, EngineOptions.defaults().withDevice("cpu"))) {
      Image x = NoiseProbe.grey(e);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<long[]>> results = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int n = 300 + t;
        results.add(pool.submit(() -> e.sampleCounts(x, 0.25, OptionalLong.empty(), n, 128)));
      }
      for (int t = 0; t < 16; t++) {
        assertEquals(300 + t, Arrays.stream(results.get(t).get()).sum());
      }
      pool.shutdown();
    }
  }

  @Test
  void imagesOfAnotherSizeAreResizedAfterTheNoise() throws Exception {
    Path lin = LinearModel.standard().write(dir.resolve("lin.onnx"));
    try (SmoothingEngine e =
        SmoothingEngine.open(lin, EngineOptions.defaults().withDevice("cpu"))) {
      // an 8x8 image of a constant far on one side stays on that side after resizing to 4x4
      LinearModel m = LinearModel.standard();
      float value = (float) Math.signum(m.b() - 10) * 5;
      float[] px = new float[64];
      Arrays.fill(px, value);
      long[] counts = e.sampleCounts(new Image(1, 8, 8, px), 0.1, OptionalLong.of(3), 200, 100);
      double sum = 0;
      for (float w : m.w()) sum += w * value;
      assertEquals(200, counts[sum > m.b() ? 1 : 0]);
    }
  }

  @Test
  void wrapsClassifiersOfOlderOpsetsAndRejectsTooOldOnes() throws Exception {
    LinearModel m = LinearModel.standard();
    for (long opset : new long[] {11, 12, 13}) {
      Path file = m.write(dir.resolve("lin" + opset + ".onnx"), opset);
      try (SmoothingEngine e =
          SmoothingEngine.open(file, EngineOptions.defaults().withDevice("cpu"))) {
        // same size (no Resize) and 8x8 -> 4x4 (Resize with the opset's input forms)
        assertEquals(
            1_500,
            Arrays.stream(e.sampleCounts(m.imageAt(2), 0.1, OptionalLong.of(1), 1_500, 1_000))
                .sum());
        float[] px = new float[64];
        Arrays.fill(px, 5f); // far from the boundary: w·x = 5·Σw
        double dot = 0;
        for (float w : m.w()) dot += 5 * w;
        assertEquals(
            300,
            e.sampleCounts(new Image(1, 8, 8, px), 0.1, OptionalLong.of(1), 300, 100)[
                dot > m.b() ? 1 : 0]);
      }
    }
    Path old = m.write(dir.resolve("lin9.onnx"), 9);
    try (SmoothingEngine e =
        SmoothingEngine.open(old, EngineOptions.defaults().withDevice("cpu"))) {
      ModelException ex =
          Assertions.assertThrows(
              ModelException.class,
              () -> e.sampleCounts(m.imageAt(1), 0.1, OptionalLong.empty(), 10, 10));
      assertTrue(ex.getMessage().contains("opset 9"), ex.getMessage());
    }
  }

  @Test
  void residentMemoryStaysFlatOverTenThousandGraphRuns() throws Exception {
    // heap fixed and pre-touched in the probe JVM, so RSS growth is native memory only
    String[] rss = probe("memory", mlp.toString(), "1000", "10000", "16").split(" ");
    long growthKb = Long.parseLong(rss[1]) - Long.parseLong(rss[0]);
    // a leaked input/output tensor per run (>= 3 KB each here) would add >= 30 MB
    assertTrue(
        growthKb < 16 * 1024, "resident memory grew by " + growthKb + " kB over 10 000 runs");
  }
}
