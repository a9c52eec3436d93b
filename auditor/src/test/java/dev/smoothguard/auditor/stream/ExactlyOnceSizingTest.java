package dev.smoothguard.auditor.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.testing.CommittedTopics;
import dev.smoothguard.auditor.testing.TestStack;
import dev.smoothguard.schemas.serde.AvroSerializer;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.engine.EngineOptions;
import dev.smoothguard.smoothing.engine.Mode;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once sized to the work, on the real broker: eight partitions on one stream thread with
 * certifications of about two seconds (the real MLP at a large n). Under Streams' default 10 s
 * transaction timeout a loop over eight tasks (~16 s) would abort and redo work; sized to the work,
 * no transaction aborts and no certification is done twice.
 */
@ExtendWith(TestStack.Cleanup.class)
class ExactlyOnceSizingTest {
  private static final int PARTITIONS = 8;
  private static final int PER_PARTITION = 2;
  private static final double TARGET_MS = 2000;

  /** The n at which one certification of the MLP takes about two seconds on this machine. */
  private static int slowN() {
    try (SmoothingEngine engine =
        SmoothingEngine.open(
            TestStack.model(),
            new EngineOptions("cpu", 1, OptionalInt.empty(), OptionalInt.empty()))) {
      int n = 5000;
      Image grey = new Image(1, 28, 28, new float[28 * 28]);
      SmoothingSettings s =
          new SmoothingSettings(
              0.25, 10, n, 0.001, 1000, Mode.CERTIFY, OptionalDouble.empty(), OptionalLong.empty());
      engine.run(grey, s); // warm up
      long t0 = System.nanoTime();
      engine.run(grey, s);
      double ms = (System.nanoTime() - t0) / 1e6;
      return (int) Math.max(2000, Math.min(400_000, n * TARGET_MS / ms));
    }
  }

  private static double metric(String scrape, String name) {
    Matcher m =
        Pattern.compile("^" + Pattern.quote(name) + " ([0-9.eE+-]+)$", Pattern.MULTILINE)
            .matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  @Test
  void eightPartitionsOnOneThreadWithSlowCertificationsAbortNothingAndRedoNothing(
      @TempDir Path state) throws Exception {
    int n = slowN();
    Map<String, String> p = new LinkedHashMap<>();
    p.put("application.id", "eos-sizing");
    p.put("model.path", TestStack.model().toString());
    p.put("device", "cpu");
    p.put("ort.threads", "1");
    p.put("sigma", "0.25");
    p.put("n0", "10");
    p.put("n", Integer.toString(n));
    p.put("batch", "1000");
    p.put("topic.images", "eos-images");
    p.put("topic.predictions", "eos-predictions");
    p.put("topic.dlq", "eos-dlq");
    p.put("topic.summary", "eos-summary");
    p.put("topic.partitions", Integer.toString(PARTITIONS));
    p.put("registry.url", TestStack.get().registryUrl());
    p.put("http.port", "0");
    p.put("kafka.bootstrap.servers", TestStack.get().bootstrapServers());
    p.put("kafka.state.dir", state.toString());
    p.put("kafka.num.stream.threads", "1");
    AuditorConfig config = AuditorConfig.from(p, Map.of());

    SmoothingEngine engine = AuditService.openEngine(config);
    try (AuditService service =
        AuditService.start(
            config, StreamSettings.DEFAULTS, engine, true, UnaryOperator.identity())) {
      assertTrue(service.awaitRunning(Duration.ofMinutes(2)));
      TransactionBudget budget = service.transactionBudget();
      assertTrue(
          budget.transactionTimeoutMs() > TransactionBudget.STREAMS_DEFAULT_MS,
          "sized above Streams' 10 s default: " + budget);
      assertTrue(budget.problems().isEmpty(), budget.problems().toString());

      AvroSerializer<ImageEvent> events = new AvroSerializer<>(TestStack.registry(), false);
      Map<String, Object> pp = new HashMap<>();
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers());
      long t0 = System.nanoTime();
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < PARTITIONS * PER_PARTITION; i++) {
          String id = "eos-" + i;
          producer
              .send(
                  new ProducerRecord<>(
                      config.topics().images(),
                      i % PARTITIONS,
                      id.getBytes(),
                      events.serialize(config.topics().images(), CommittedTopics.image(id, i))))
              .get(30, TimeUnit.SECONDS);
        }
      }
      int total = PARTITIONS * PER_PARTITION;
      var out =
          CommittedTopics.readUntil(
              config.topics().predictions(), Duration.ofMinutes(4), rs -> rs.size() >= total);
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Long> counts =
          CommittedTopics.counts(CommittedTopics.predictions(out, config.topics().predictions()));
      Set<String> expected =
          IntStream.range(0, total).mapToObj(i -> "eos-" + i).collect(Collectors.toSet());
      assertEquals(expected, counts.keySet());
      counts.forEach((id, c) -> assertEquals(1L, c, id + " exactly once"));

      Thread.sleep(1000); // the last commit's counters
      String scrape = service.metrics().scrape();
      double aborted = metric(scrape, "smoothguard_transactions_aborted_total");
      double committed = metric(scrape, "smoothguard_transactions_committed_total");
      double started =
          metric(scrape, "smoothguard_certifications_started_total{model=\"mnist-mlp\"}");
      double images = metric(scrape, "smoothguard_images_total{model=\"mnist-mlp\"}");
      double latencyMax = service.metrics().maxLatencyMs("mnist-mlp");
      System.out.printf(
          "eos sizing: n=%d, %d partitions on 1 thread, %d images in %.1f s, certification up to %.0f ms, "
              + "transaction.timeout.ms=%d, transactions committed=%.0f aborted=%.0f, certifications started=%.0f committed=%.0f (redone=%.0f)%n",
          n,
          PARTITIONS,
          total,
          seconds,
          latencyMax,
          budget.transactionTimeoutMs(),
          committed,
          aborted,
          started,
          images,
          started - images);
      assertEquals(0.0, aborted, "no transaction aborted");
      assertEquals(total, images, "every certification committed");
      assertEquals(total, started, "no certification redone");
    }
  }
}
