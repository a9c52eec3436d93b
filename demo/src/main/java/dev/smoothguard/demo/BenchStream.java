package dev.smoothguard.demo;

import com.sun.management.OperatingSystemMXBean;
import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.replay.ImageEvents;
import dev.smoothguard.auditor.replay.Replayer;
import dev.smoothguard.auditor.results.ResultsReader;
import dev.smoothguard.auditor.stream.AuditService;
import dev.smoothguard.devstack.EmbeddedStack;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.schemas.v1.ImageEncoding;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.smoothing.data.Datasets;
import dev.smoothguard.smoothing.data.ImageDataset;
import dev.smoothguard.smoothing.data.LabeledImage;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code bin/smoothguard bench-stream}: images/s end to end (producer -> broker -> auditor with
 * exactly-once -> read_committed consumer) against the engine alone on the same images, same
 * engine, same settings, in the same run. Kafka, the serde and decoding cost 1 - ratio.
 */
public final class BenchStream {
  private BenchStream() {}

  public record Options(
      String model,
      String data,
      int count,
      int n,
      int n0,
      double sigma,
      int warmup,
      int ortThreads,
      String guarantee) {}

  public record Result(
      double engineImagesPerSecond,
      double streamImagesPerSecond,
      long peakHeapBytes,
      long peakRssBytes,
      double engineCpuPerImage,
      double streamCpuPerImage) {
    public double ratio() {
      return streamImagesPerSecond / engineImagesPerSecond;
    }
  }

  public static Result run(Options o, PrintStream out) throws Exception {
    ImageDataset data = Datasets.open(o.data());
    int count = Math.min(o.count(), data.size());
    List<LabeledImage> images = new ArrayList<>();
    for (int i = 0; i < count + o.warmup(); i++) images.add(data.get(i % data.size()));
    try (ModelSource model = ModelSource.resolve(o.model());
        EmbeddedStack stack = Demo.startStack(0, 0, null)) {
      Map<String, String> props = new LinkedHashMap<>();
      props.put("kafka.bootstrap.servers", stack.bootstrapServers());
      props.put("registry.url", stack.registryUrl());
      props.put("application.id", "smoothguard-bench");
      props.put("model.path", model.path().toString());
      props.put("n", Integer.toString(o.n()));
      props.put("n0", Integer.toString(o.n0()));
      props.put("sigma", Double.toString(o.sigma()));
      props.put("http.port", "0");
      props.put("ort.threads", Integer.toString(o.ortThreads()));
      props.put("kafka.processing.guarantee", o.guarantee());
      props.put("kafka.state.dir", stack.newStateDir().toString());
      AuditorConfig config = AuditorConfig.from(props, Map.of());
      try (SmoothingEngine engine = AuditService.openEngine(config)) {
        SmoothingSettings settings = AuditService.settings(config, engine.model());
        out.printf(
            Locale.ROOT,
            "model %s on %s (%d intra-op threads); n0=%d n=%d sigma=%.2f; %d images (+%d warm-up); %s%n",
            engine.model().name(),
            engine.device(),
            config.effectiveOrtThreads(Runtime.getRuntime().availableProcessors()),
            o.n0(),
            o.n(),
            o.sigma(),
            count,
            o.warmup(),
            o.guarantee());

        // 1) the engine alone (measured before and after the stream: A-B-A against drift in
        // machine load; the ratio uses their mean)
        for (int i = 0; i < o.warmup(); i++) engine.run(images.get(i).image(), settings);
        long c0 = cpuNanos();
        double engineBefore =
            engineAlone(engine, settings, images.subList(o.warmup(), images.size()));
        double engineCpu = (cpuNanos() - c0) / 1e9 / count;
        out.printf(Locale.ROOT, "engine alone:       %.2f images/s%n", engineBefore);

        // 2) end to end through Kafka, same engine
        RegistryClient registry = new RegistryClient(RegistryConfig.of(stack.registryUrl()));
        try (AuditService service = AuditService.start(config, engine, false);
            Replayer producer =
                new Replayer(
                    stack.bootstrapServers(), registry, config.topics().images(), Map.of());
            ResultsReader reader =
                new ResultsReader(
                    stack.bootstrapServers(),
                    registry,
                    config.topics().predictions(),
                    config.topics().dlq())) {
          if (!service.awaitRunning(Duration.ofMinutes(2)))
            throw new IllegalStateException("auditor did not start");
          List<ImageEvent> events = new ArrayList<>();
          for (int i = 0; i < images.size(); i++) {
            events.add(
                ImageEvents.of(
                    "bench-" + i,
                    images.get(i).image(),
                    images.get(i).label(),
                    ImageEncoding.PNG,
                    o.data(),
                    Instant.now()));
          }
          sendAndAwait(producer, reader, events.subList(0, o.warmup()));
          Map<Long, Long> threadsBefore = threadCpu();
          long s0 = System.nanoTime();
          long sc0 = cpuNanos();
          sendAndAwait(producer, reader, events.subList(o.warmup(), events.size()));
          double streamIps = count / ((System.nanoTime() - s0) / 1e9);
          double streamCpu = (cpuNanos() - sc0) / 1e9 / count;
          printCpuByThread(out, threadsBefore, count);
          out.printf(Locale.ROOT, "end to end (Kafka): %.2f images/s%n", streamIps);
          double engineAfter =
              engineAlone(engine, settings, images.subList(o.warmup(), images.size()));
          out.printf(
              Locale.ROOT, "engine alone again: %.2f images/s (auditor idle)%n", engineAfter);
          Result r =
              new Result(
                  (engineBefore + engineAfter) / 2,
                  streamIps,
                  peakHeap(),
                  peakRss(),
                  engineCpu,
                  streamCpu);
          out.printf(
              Locale.ROOT,
              "ratio end-to-end / engine (mean of both): %.3f (goal >= 0.8)%n",
              r.ratio());
          // CPU seconds per image of this process (broker included): less sensitive to other load
          out.printf(
              Locale.ROOT,
              "CPU per image: engine %.3f s, end to end %.3f s (everything: broker, "
                  + "producer, consumer, streams) -> CPU ratio %.3f%n",
              engineCpu,
              streamCpu,
              engineCpu / streamCpu);
          out.printf(
              Locale.ROOT,
              "peak memory: heap %.0f MiB, process RSS %.0f MiB (broker, streams, engine in one JVM)%n",
              r.peakHeapBytes() / 1048576.0,
              r.peakRssBytes() / 1048576.0);
          return r;
        }
      }
    }
  }

  private static double engineAlone(
      SmoothingEngine engine, SmoothingSettings settings, List<LabeledImage> images) {
    long t0 = System.nanoTime();
    for (LabeledImage li : images) engine.run(li.image(), settings);
    return images.size() / ((System.nanoTime() - t0) / 1e9);
  }

  private static void sendAndAwait(
      Replayer producer, ResultsReader reader, List<ImageEvent> events) {
    Set<String> waiting = new HashSet<>();
    for (ImageEvent e : events) {
      waiting.add(e.getId());
      producer.sendNow(e.getId(), e);
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
    while (!waiting.isEmpty()) {
      if (System.nanoTime() > deadline)
        throw new IllegalStateException("results missing: " + waiting.size());
      ResultsReader.Batch b = reader.poll(Duration.ofMillis(100));
      b.predictions().forEach(p -> waiting.remove(p.getImageId()));
      b.failures().forEach(f -> waiting.remove(f.getImageId()));
    }
  }

  private static Map<Long, Long> threadCpu() {
    var mx = ManagementFactory.getThreadMXBean();
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : mx.getAllThreadIds()) {
      long t = mx.getThreadCpuTime(id);
      if (t >= 0) cpu.put(id, t);
    }
    return cpu;
  }

  /**
   * Where the Java threads' CPU went during the stream phase (ONNX Runtime's own threads are
   * native).
   */
  private static void printCpuByThread(PrintStream out, Map<Long, Long> before, int images) {
    var mx = ManagementFactory.getThreadMXBean();
    Map<String, Double> byGroup = new TreeMap<>();
    for (long id : mx.getAllThreadIds()) {
      long t = mx.getThreadCpuTime(id);
      var info = mx.getThreadInfo(id);
      if (t < 0 || info == null) continue;
      String group =
          info.getThreadName().replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "*").replaceAll("\\d+", "#");
      byGroup.merge(group, (t - before.getOrDefault(id, 0L)) / 1e9 / images, Double::sum);
    }
    out.println("Java thread CPU per image in the stream phase (top 8):");
    byGroup.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .limit(8)
        .forEach(e -> out.printf(Locale.ROOT, "  %7.4f s  %s%n", e.getValue(), e.getKey()));
  }

  private static long cpuNanos() {
    // com.sun.management's subtype (see the import) adds the process CPU time
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Sum of the heap pools' peak usage. */
  static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) sum += pool.getPeakUsage().getUsed();
    }
    return sum;
  }

  /** The process's peak resident set (VmHWM), or -1 off Linux. */
  static long peakRss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
