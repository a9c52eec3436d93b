package dev.smoothguard.smoothing.bench;

import ai.onnxruntime.OrtException;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Noisy samples per second of (a) the smoothing graph fed host noise, (a') the smoothing graph with
 * in-graph noise, (b) the bare classifier on pre-built noisy batches, measured in one process, one
 * batch of each in turn (so a neighbour's load hits all alike); the machine's fp32 GEMM rate
 * measured in the same run, the model's FLOPs per sample, peak and resident memory.
 */
public final class Bench {
  private Bench() {}

  /**
   * Samples per second of each variant, the model's FLOPs per sample, the GEMM rate (FLOP/s) and
   * the process's memory at the end.
   */
  public record Report(
      String device,
      int batch,
      double hostNoise,
      double graphNoise,
      double bare,
      double modelFlops,
      double gemmFlopsPerSecond,
      long peakRssKb,
      long rssKb) {
    public double hostNoiseOverBare() {
      return hostNoise / bare;
    }

    public double graphNoiseOverBare() {
      return graphNoise / bare;
    }

    /** The fraction of the GEMM peak that {@code samplesPerSecond} of this model amounts to. */
    public double ofPeak(double samplesPerSecond) {
      return modelFlops * samplesPerSecond / gemmFlopsPerSecond;
    }
  }

  @FunctionalInterface
  private interface BatchRun {
    long run() throws OrtException;
  }

  /** About {@code seconds} of batches per variant, and at least {@code minBatches} of each. */
  public static Report run(
      SmoothingEngine engine, int batch, double seconds, double sigma, int minBatches)
      throws OrtException, IOException {
    Image image = midGrey(engine);
    try (Throughput t = new Throughput(engine, image, sigma, batch)) {
      BatchRun[] variants = {t::hostNoiseBatch, t::graphNoiseBatch, t::bareBatch};
      for (BatchRun v : variants) v.run(); // warm-up: sessions built, first-run allocations done
      // the GEMM rate before and after the variants, the best counts: a neighbour's load only
      // ever lowers it
      double gemmBefore = GemmPeak.flopsPerSecond(3);
      // batch by batch in turn, so a neighbour's load falls on all three alike
      int v = variants.length;
      long[] batches = new long[v];
      double[] secs = new double[v];
      long end = System.nanoTime() + (long) (v * seconds * 1e9);
      for (int round = 0; System.nanoTime() < end || batches[0] < minBatches; round++) {
        for (int j = 0; j < v; j++) {
          int i = (round + j) % v; // rotate who goes first: no variant always follows another
          long start = System.nanoTime();
          variants[i].run();
          secs[i] += (System.nanoTime() - start) / 1e9;
          batches[i]++;
        }
      }
      var m = engine.model();
      double flops = ModelFlops.perSample(m.path(), m.channels(), m.height(), m.width());
      double gemm = Math.max(gemmBefore, GemmPeak.flopsPerSecond(3));
      return new Report(
          engine.device(),
          batch,
          batch * batches[0] / secs[0],
          batch * batches[1] / secs[1],
          batch * batches[2] / secs[2],
          flops,
          gemm,
          procStatusKb("VmHWM"),
          procStatusKb("VmRSS"));
    }
  }

  /**
   * Resident memory over many graph runs: {@code warmup} runs, then RSS, then {@code runs} more,
   * then RSS again. Returns {rssAfterWarmupKb, rssAtEndKb}.
   */
  public static long[] memoryCheck(
      SmoothingEngine engine, int batch, double sigma, int warmup, int runs, PrintStream progress)
      throws IOException {
    Image image = midGrey(engine);
    for (int i = 0; i < warmup; i++)
      engine.sampleCounts(image, sigma, OptionalLong.empty(), batch, batch);
    long before = procStatusKb("VmRSS");
    for (int i = 1; i <= runs; i++) {
      engine.sampleCounts(image, sigma, OptionalLong.empty(), batch, batch);
      if (i % Math.max(1, runs / 5) == 0) {
        progress.printf("  after %,d runs: VmRSS %,d kB%n", i, procStatusKb("VmRSS"));
      }
    }
    return new long[] {before, procStatusKb("VmRSS")};
  }

  /** A value from /proc/self/status in kB (Linux); -1 where that file does not exist. */
  public static long procStatusKb(String key) throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) return -1;
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith(key + ":")) return Long.parseLong(line.replaceAll("\\D", ""));
    }
    return -1;
  }

  private static Image midGrey(SmoothingEngine engine) {
    var m = engine.model();
    float[] px = new float[m.channels() * m.height() * m.width()];
    for (int i = 0; i < px.length; i++) px[i] = (i % 7) / 7f; // some structure, values in [0,1]
    return new Image(m.channels(), m.height(), m.width(), px);
  }
}
