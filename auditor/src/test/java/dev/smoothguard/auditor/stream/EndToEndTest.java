package dev.smoothguard.auditor.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.replay.ImageEvents;
import dev.smoothguard.auditor.replay.Replayer;
import dev.smoothguard.auditor.results.ResultsReader;
import dev.smoothguard.auditor.testing.TestStack;
import dev.smoothguard.devstack.EmbeddedStack;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.serde.AvroSerializer;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.FailureReason;
import dev.smoothguard.schemas.v1.ImageEncoding;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.smoothing.data.Datasets;
import dev.smoothguard.smoothing.data.ImageDataset;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor on a real KRaft broker and the real registry: replay and read back with
 * read_committed, poison records, and a crash (SIGKILL) mid-stream.
 */
@ExtendWith(TestStack.Cleanup.class)
class EndToEndTest {
  private static final Duration PATIENCE = Duration.ofMinutes(3); // only to fail instead of hang

  private static Map<String, String> props(String prefix, Path stateDir, int httpPort) {
    EmbeddedStack stack = TestStack.get();
    Map<String, String> p = new LinkedHashMap<>();
    p.put("application.id", "e2e-" + prefix);
    p.put("model.path", TestStack.model().toString());
    p.put("device", "cpu");
    p.put("sigma", "0.25");
    p.put("n0", "10");
    p.put("n", "200");
    p.put("batch", "200");
    p.put("topic.images", prefix + "-images");
    p.put("topic.predictions", prefix + "-predictions");
    p.put("topic.dlq", prefix + "-dlq");
    p.put("topic.summary", prefix + "-summary");
    p.put("registry.url", stack.registryUrl());
    p.put("http.port", Integer.toString(httpPort));
    p.put("kafka.bootstrap.servers", stack.bootstrapServers());
    p.put("kafka.state.dir", stateDir.toString());
    p.put("kafka.session.timeout.ms", "6000");
    p.put("kafka.heartbeat.interval.ms", "1000");
    return p;
  }

  @Test
  void replayedImagesComeBackExactlyOnceAsCommittedResults(@TempDir Path state) throws Exception {
    AuditorConfig config = AuditorConfig.from(props("replay", state, 0), Map.of());
    ImageDataset data = Datasets.open(TestStack.sampleData());
    int n = 12;
    try (AuditService service = AuditService.start(config)) {
      RegistryClient registry = TestStack.registry();
      try (Replayer replayer =
          new Replayer(
              TestStack.get().bootstrapServers(), registry, config.topics().images(), Map.of())) {
        assertEquals(n, replayer.replay(data, ImageEncoding.PNG, 0, false, n, sent -> {}));
      }
      Set<String> expected =
          IntStream.range(0, n)
              .mapToObj(i -> Replayer.idOf("fashion-mnist-sample", i, 0))
              .collect(Collectors.toSet());
      List<CertifiedPrediction> results =
          readUntil(config, r -> r.predictions().size() >= n).predictions();
      assertEquals(n, results.size());
      assertEquals(
          expected,
          results.stream().map(CertifiedPrediction::getImageId).collect(Collectors.toSet()));
      for (CertifiedPrediction p : results) {
        assertEquals(
            data.get(Integer.parseInt(p.getImageId().substring(p.getImageId().length() - 6)))
                .label(),
            p.getLabel());
      }

      assertEquals(KafkaStreams.State.RUNNING, service.state());
      assertEquals(200, get(service.httpPort(), "/ready").statusCode());
      assertEquals(200, get(service.httpPort(), "/health").statusCode());
      String metrics = get(service.httpPort(), "/metrics").body();
      for (String name :
          List.of(
              "smoothguard_images_total",
              "smoothguard_abstained_total",
              "smoothguard_noisy_samples_total",
              "smoothguard_certify_latency_seconds_bucket",
              "smoothguard_certify_latency_seconds_count",
              "smoothguard_certify_latency_seconds_sum",
              "smoothguard_consumer_lag_records",
              "smoothguard_stream_state 1.0",
              "smoothguard_dlq_records_total{reason=\"MODEL_ERROR\"} 0.0",
              "smoothguard_certified_accuracy{model=\"mnist-mlp\",radius=\"0.5\"}",
              "kafka_stream_thread_process_total")) {
        assertTrue(metrics.contains(name), name + " missing from /metrics");
      }
      assertTrue(metrics.contains("smoothguard_images_total{model=\"mnist-mlp\"} 12.0"), metrics);
    }
  }

  @Test
  void poisonRecordsGoToTheDeadLetterTopicAndTheServiceKeepsRunning(@TempDir Path state)
      throws Exception {
    AuditorConfig config = AuditorConfig.from(props("poison", state, 0), Map.of());
    ImageDataset data = Datasets.open(TestStack.sampleData());
    try (AuditService service = AuditService.start(config)) {
      RegistryClient registry = TestStack.registry();
      var eventSerializer = new AvroSerializer<ImageEvent>(registry, false);
      String topic = config.topics().images();
      Map<String, byte[]> records = new LinkedHashMap<>();
      Map<String, FailureReason> bad = new HashMap<>();
      Instant now = Instant.now();
      for (int i = 0; i < 6; i++) {
        ImageEvent e =
            ImageEvents.of(
                "good-" + i, data.get(i).image(), data.get(i).label(), ImageEncoding.PNG, "t", now);
        records.put("good-" + i, eventSerializer.serialize(topic, e));
        if (i == 1) {
          byte[] random = new byte[256];
          new Random(3).nextBytes(random);
          random[0] = 1;
          records.put("random", random);
          bad.put("random", FailureReason.UNDECODABLE_RECORD);
        }
        if (i == 2) {
          byte[] png = bytes(e.getData());
          records.put(
              "truncated",
              eventSerializer.serialize(
                  topic,
                  ImageEvent.newBuilder(e)
                      .setId("truncated")
                      .setData(ByteBuffer.wrap(Arrays.copyOf(png, png.length - 20)))
                      .build()));
          bad.put("truncated", FailureReason.BAD_IMAGE);
        }
        if (i == 3) {
          records.put(
              "huge",
              eventSerializer.serialize(
                  topic,
                  ImageEvent.newBuilder(e)
                      .setId("huge")
                      .setWidth(50_000)
                      .setHeight(50_000)
                      .build()));
          bad.put("huge", FailureReason.TOO_LARGE);
        }
        if (i == 4) {
          records.put(
              "channels",
              eventSerializer.serialize(
                  topic,
                  ImageEvent.newBuilder(e)
                      .setId("channels")
                      .setEncoding(ImageEncoding.RAW_U8)
                      .setChannels(3)
                      .setData(ByteBuffer.wrap(new byte[28 * 28 * 3]))
                      .build()));
          bad.put("channels", FailureReason.WRONG_SHAPE);
        }
      }
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", TestStack.get().bootstrapServers()),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        for (var r : records.entrySet())
          producer.send(new ProducerRecord<>(topic, r.getKey().getBytes(), r.getValue()));
      }
      ResultsReader.Batch all =
          readUntil(config, r -> r.predictions().size() + r.failures().size() >= records.size());
      assertEquals(
          Set.of("good-0", "good-1", "good-2", "good-3", "good-4", "good-5"),
          all.predictions().stream()
              .map(CertifiedPrediction::getImageId)
              .collect(Collectors.toSet()));
      assertEquals(bad.size(), all.failures().size());
      for (AuditFailure f : all.failures()) {
        String key = new String(bytes(f.getKey()));
        assertEquals(bad.get(key), f.getReason(), key + ": " + f.getMessage());
        assertTrue(Arrays.equals(records.get(key), bytes(f.getValue())), key + ": original bytes");
        assertEquals(topic, f.getSourceTopic());
      }
      assertEquals(KafkaStreams.State.RUNNING, service.state());
      assertEquals(200, get(service.httpPort(), "/ready").statusCode());
      String metrics = get(service.httpPort(), "/metrics").body();
      assertTrue(
          metrics.contains("smoothguard_dlq_records_total{reason=\"BAD_IMAGE\"} 1.0"), metrics);
    }
  }

  @Test
  void aCrashMidStreamLosesNothingAndDuplicatesNothing(@TempDir Path dir) throws Exception {
    int port = freePort();
    Map<String, String> p = props("crash", dir.resolve("state"), port);
    p.put("n", "2000");
    p.put("batch", "500");
    p.put(
        "kafka.commit.interval.ms",
        "1000"); // results stay uncommitted a while: the kill catches some
    p.put("kafka.max.poll.records", "2");
    Path file = dir.resolve("auditor.properties");
    Files.writeString(
        file,
        p.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("\n")));
    AuditorConfig config = AuditorConfig.load(file, Map.of());
    int n = 40;
    ImageDataset data = Datasets.open(TestStack.sampleData());

    Process first = startAuditor(file, dir.resolve("first.log"));
    try {
      awaitReady(first, port, dir.resolve("first.log"));
      Thread replay =
          new Thread(
              () -> {
                try (Replayer r =
                    new Replayer(
                        TestStack.get().bootstrapServers(),
                        TestStack.registry(),
                        config.topics().images(),
                        Map.of())) {
                  r.replay(data, ImageEncoding.PNG, 8, false, n, s -> {});
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      replay.start();
      readUntil(config, r -> r.predictions().size() >= 5);
      first.destroyForcibly().waitFor(); // SIGKILL: no close, no commit, an open transaction
      replay.join();
    } finally {
      first.destroyForcibly();
    }

    Process second = startAuditor(file, dir.resolve("second.log"));
    try {
      awaitReady(second, port, dir.resolve("second.log"));
      Set<String> expected =
          IntStream.range(0, n)
              .mapToObj(i -> Replayer.idOf("fashion-mnist-sample", i, 0))
              .collect(Collectors.toSet());
      List<CertifiedPrediction> results =
          readUntil(
                  config,
                  r ->
                      r.predictions().stream()
                          .map(CertifiedPrediction::getImageId)
                          .collect(Collectors.toSet())
                          .containsAll(expected))
              .predictions();
      // settle: anything still in flight would show up as a duplicate now
      assertEquals(200, get(port, "/ready").statusCode());
      Map<String, Long> counts =
          results.stream()
              .collect(
                  Collectors.groupingBy(CertifiedPrediction::getImageId, Collectors.counting()));
      assertEquals(expected, counts.keySet());
      counts.forEach((id, c) -> assertEquals(1L, c, id + " appears " + c + " times"));
      second.destroy(); // SIGTERM: graceful shutdown
      assertEquals(true, second.waitFor(90, TimeUnit.SECONDS));
      assertTrue(
          second.exitValue() == 0 || second.exitValue() == 143, "exit " + second.exitValue());
    } finally {
      second.destroyForcibly();
    }
    // after a clean stop, the committed output still has every id exactly once
    List<CertifiedPrediction> after =
        readUntil(config, r -> r.predictions().size() >= n).predictions();
    assertEquals(n, after.size());
    assertEquals(
        n, new HashSet<>(after.stream().map(CertifiedPrediction::getImageId).toList()).size());
  }

  private static Process startAuditor(Path config, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx512m",
            "-cp",
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
            "dev.smoothguard.auditor.cli.AuditorCli",
            "audit",
            "--config",
            config.toString());
    pb.environment().keySet().removeIf(k -> k.startsWith("SMOOTHGUARD_"));
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  private static void awaitReady(Process p, int port, Path log) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) fail("auditor exited " + p.exitValue() + ":\n" + Files.readString(log));
      try {
        if (get(port, "/ready").statusCode() == 200) return;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    fail("auditor not ready:\n" + Files.readString(log));
  }

  /** Reads both output topics (read_committed) from the start until the condition holds. */
  private static ResultsReader.Batch readUntil(
      AuditorConfig config, Predicate<ResultsReader.Batch> done) {
    List<CertifiedPrediction> ps = new ArrayList<>();
    List<AuditFailure> fs = new ArrayList<>();
    try (ResultsReader reader =
        new ResultsReader(
            TestStack.get().bootstrapServers(),
            TestStack.registry(),
            config.topics().predictions(),
            config.topics().dlq())) {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (true) {
        ResultsReader.Batch b = reader.poll(Duration.ofMillis(200));
        ps.addAll(b.predictions());
        fs.addAll(b.failures());
        ResultsReader.Batch all = new ResultsReader.Batch(ps, fs);
        if (done.test(all)) {
          // one more poll: a duplicate committed right after would show up here
          ResultsReader.Batch extra = reader.poll(Duration.ofMillis(1500));
          ps.addAll(extra.predictions());
          fs.addAll(extra.failures());
          return new ResultsReader.Batch(ps, fs);
        }
        if (System.nanoTime() > deadline)
          fail("gave up waiting: " + ps.size() + " results, " + fs.size() + " failures");
      }
    }
  }

  private static HttpResponse<String> get(int port, String path)
      throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
