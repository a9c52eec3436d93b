package dev.smoothguard.smoothing.engine;

import dev.smoothguard.smoothing.data.Image;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * Run in a separate JVM by the tests: prints the class counts of consecutive smoothing-graph runs
 * on the builtin MLP, or the resident memory before/after many runs.
 *
 * <pre>
 * NoiseProbe counts MODEL SEED|none RUNS BATCH   -> one line "c0,c1,...;c0,c1,...;..."
 * NoiseProbe memory MODEL WARMUP RUNS BATCH      -> "rssKbAfterWarmup rssKbAtEnd"
 * </pre>
 */
public final class NoiseProbe {
  public static void main(String[] args) throws Exception {
    try (SmoothingEngine e =
        SmoothingEngine.open(Path.of(args[1]), EngineOptions.defaults().withDevice("cpu"))) {
      if (args[0].equals("counts")) {
        OptionalLong seed =
            args[2].equals("none")
                ? OptionalLong.empty()
                : OptionalLong.of(Long.parseLong(args[2]));
        System.out.println(
            String.join(";", runs(e, seed, Integer.parseInt(args[3]), Integer.parseInt(args[4]))));
      } else {
        Image x = grey(e);
        int batch = Integer.parseInt(args[4]);
        for (int i = 0; i < Integer.parseInt(args[2]); i++)
          e.sampleCounts(x, 0.5, OptionalLong.of(1), batch, batch);
        System.gc();
        long before = rssKb();
        for (int i = 0; i < Integer.parseInt(args[3]); i++)
          e.sampleCounts(x, 0.5, OptionalLong.of(1), batch, batch);
        System.gc();
        System.out.println(before + " " + rssKb());
      }
    }
  }

  public static List<String> runs(SmoothingEngine e, OptionalLong seed, int runs, int batch) {
    List<String> out = new ArrayList<>();
    Image x = grey(e);
    for (int r = 0; r < runs; r++) {
      long[] c = e.sampleCounts(x, 0.5, seed, batch, batch);
      out.add(Arrays.toString(c).replace(" ", ""));
    }
    return out;
  }

  public static Image grey(SmoothingEngine e) {
    var m = e.model();
    float[] px = new float[m.channels() * m.height() * m.width()];
    Arrays.fill(px, 0.5f);
    return new Image(m.channels(), m.height(), m.width(), px);
  }

  /** Resident set size of this process, from /proc/self/status (Linux). */
  public static long rssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
