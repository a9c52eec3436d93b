package dev.smoothguard.smoothing.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the chunks of a Monte Carlo batch on the CPU side by side: {@code workers} threads, each
 * running whole graph runs on a session with one intra-op thread. Why: measured on the 2-core
 * machine with the tiny ViT, one session with 2 intra-op threads and batch 1000 classified ~1 970
 * noisy samples/s, the same with runs of 64 ~2 360 (the activations of a small run stay in cache),
 * and two single-threaded runs of 64 or 128 at a time ~2 800 (no fork-join of both cores around
 * each of the graph's ~150 small ops). The pool is shared by all callers of the engine, so
 * concurrent certifications queue their chunks instead of oversubscribing the cores.
 */
final class ParallelRuns implements AutoCloseable {
  /** Samples per graph run on the CPU: small enough to keep a ViT's activations in cache. */
  static final int CPU_CHUNK = 128;

  private final ExecutorService pool;
  private final int workers;

  ParallelRuns(int workers) {
    this.workers = workers;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            workers,
            r -> {
              Thread t = new Thread(r, "smoothguard-run-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** Workers for an intra-op thread setting: the setting itself, or every core for 0. */
  static int workersFor(EngineOptions options) {
    return options.intraOpThreads() > 0
        ? options.intraOpThreads()
        : Runtime.getRuntime().availableProcessors();
  }

  int workers() {
    return workers;
  }

  /** One run of a chunk: the class counts of the samples offset .. offset+size-1 of a call. */
  @FunctionalInterface
  interface ChunkRun {
    long[] counts(int offset, int size);
  }

  /**
   * Class counts of {@code num} samples in runs of at most {@code chunk}: {@code run} maps a chunk
   * (its offset in the call and its size) to its counts and is called from the pool's threads.
   * Returns only when every run has ended (the caller's input tensors are read until then), and
   * then rethrows the first failure.
   */
  long[] counts(int num, int chunk, int numClasses, ChunkRun run) {
    List<Future<long[]>> runs = new ArrayList<>();
    for (int offset = 0; offset < num; offset += chunk) {
      int start = offset;
      int size = Math.min(chunk, num - offset);
      runs.add(pool.submit(() -> run.counts(start, size)));
    }
    long[] total = new long[numClasses];
    RuntimeException failure = null;
    boolean interrupted = false;
    for (Future<long[]> f : runs) {
      while (true) {
        try {
          long[] c = f.get();
          for (int k = 0; k < total.length; k++) total[k] += c[k];
          break;
        } catch (InterruptedException e) {
          interrupted = true; // a run takes milliseconds: finish waiting, keep the flag
        } catch (ExecutionException e) {
          if (failure == null) {
            failure =
                e.getCause() instanceof RuntimeException r
                    ? r
                    : new ModelException("a graph run failed: " + e.getCause(), e.getCause());
          }
          break;
        }
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
    if (failure != null) throw failure;
    return total;
  }

  @Override
  public void close() {
    pool.shutdown();
  }
}
