package dev.smoothguard.smoothing.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Chunking, summing and failure handling of the CPU's side-by-side graph runs. */
class ParallelRunsTest {
  @Test
  void splitsIntoChunksWithAPartialLastOneAndSumsTheirCounts() {
    ConcurrentLinkedQueue<Integer> sizes = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Integer> offsets = new ConcurrentLinkedQueue<>();
    try (ParallelRuns runs = new ParallelRuns(2)) {
      // class 0 counts the samples, class 1 the runs
      long[] total =
          runs.counts(
              1_000,
              128,
              2,
              (offset, size) -> {
                sizes.add(size);
                offsets.add(offset);
                return new long[] {size, 1};
              });
      assertArrayEquals(new long[] {1_000, 8}, total);
    }
    assertEquals(7, sizes.stream().filter(s -> s == 128).count());
    assertEquals(List.of(104), sizes.stream().filter(s -> s != 128).toList());
    // each chunk knows where it starts, so it can draw the noise of its own sample positions
    assertEquals(List.of(0, 128, 256, 384, 512, 640, 768, 896), offsets.stream().sorted().toList());
  }

  @Test
  void rethrowsTheFailureOnlyAfterEveryRunHasEnded() {
    AtomicInteger ended = new AtomicInteger();
    ModelException boom = new ModelException("run 3 failed");
    AtomicInteger started = new AtomicInteger();
    try (ParallelRuns runs = new ParallelRuns(2)) {
      ModelException thrown =
          assertThrows(
              ModelException.class,
              () ->
                  runs.counts(
                      10,
                      1,
                      1,
                      (offset, size) -> {
                        int i = started.incrementAndGet();
                        try {
                          Thread.sleep(5);
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                        ended.incrementAndGet();
                        if (i == 3) throw boom;
                        return new long[] {size};
                      }));
      assertSame(boom, thrown);
      // the caller's input tensors may be closed now: no run may still be reading them
      assertEquals(10, ended.get());
    }
  }

  @Test
  void usesEveryCoreWhenNoThreadCountIsGiven() {
    assertEquals(
        Runtime.getRuntime().availableProcessors(),
        ParallelRuns.workersFor(EngineOptions.defaults()));
    assertEquals(
        3,
        ParallelRuns.workersFor(
            new EngineOptions("cpu", 3, OptionalInt.empty(), OptionalInt.empty())));
  }
}
