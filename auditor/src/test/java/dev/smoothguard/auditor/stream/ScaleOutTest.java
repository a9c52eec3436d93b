package dev.smoothguard.auditor.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.smoothguard.auditor.testing.CommittedTopics;
import dev.smoothguard.auditor.testing.TestStack;
import dev.smoothguard.schemas.serde.AvroSerializer;
import dev.smoothguard.schemas.v1.ImageEvent;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out on the real KRaft broker: three auditor processes (separate JVMs, so the kill is a real
 * SIGKILL) with one application.id on a 6-partition topic. One is killed mid-stream: every image id
 * still comes out exactly once (read_committed). One is stopped gracefully: it leaves the group at
 * once, so its partitions move without waiting for the session timeout.
 */
@ExtendWith(TestStack.Cleanup.class)
class ScaleOutTest {
  private static final int PARTITIONS = 6;
  private static final Duration PATIENCE = Duration.ofMinutes(3); // only to fail instead of hang
  private static final int SESSION_TIMEOUT_MS = 10_000;

  private record Auditor(Process process, int port, Path log) {}

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static Auditor start(Path config, Path dir, String name) throws IOException {
    int port = freePort();
    Path log = dir.resolve(name + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx384m",
            "-cp",
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
            "dev.smoothguard.auditor.cli.AuditorCli",
            "audit",
            "--config",
            config.toString());
    pb.environment().keySet().removeIf(k -> k.startsWith("SMOOTHGUARD_"));
    pb.environment().put("SMOOTHGUARD_HTTP_PORT", Integer.toString(port));
    pb.environment().put("SMOOTHGUARD_KAFKA_STATE_DIR", dir.resolve("state-" + name).toString());
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return new Auditor(pb.start(), port, log);
  }

  private static int ready(Auditor a) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://localhost:" + a.port() + "/ready"))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .statusCode();
    } catch (Exception notYet) {
      return -1;
    }
  }

  private static int members(String group) {
    try (Admin admin = TestStack.get().kafka().admin()) {
      return admin
          .describeConsumerGroups(List.of(group))
          .all()
          .get(10, TimeUnit.SECONDS)
          .get(group)
          .members()
          .size();
    } catch (Exception e) {
      return -1;
    }
  }

  private static void await(String what, List<Auditor> alive, BooleanSupplier condition)
      throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      for (Auditor a : alive) {
        if (!a.process().isAlive())
          fail("auditor exited " + a.process().exitValue() + ":\n" + Files.readString(a.log()));
      }
      if (System.nanoTime() > deadline) fail("gave up waiting for " + what);
      Thread.sleep(200);
    }
  }

  private static void send(String topic, List<String> ids) throws Exception {
    AvroSerializer<ImageEvent> events = new AvroSerializer<>(TestStack.registry(), false);
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String id : ids) {
        int i = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
        producer
            .send(
                new ProducerRecord<>(
                    topic,
                    i % PARTITIONS,
                    id.getBytes(),
                    events.serialize(topic, CommittedTopics.image(id, i))))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void threeProcessesOneKilledOneStoppedEveryImageExactlyOnce(@TempDir Path dir) throws Exception {
    String app = "scale-out";
    String images = "scale-images", predictions = "scale-predictions";
    try (Admin admin = TestStack.get().kafka().admin()) {
      admin
          .createTopics(
              List.of(images, predictions, "scale-dlq", "scale-summary").stream()
                  .map(t -> new NewTopic(t, PARTITIONS, (short) 1))
                  .toList())
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Map<String, String> p = new LinkedHashMap<>();
    p.put("application.id", app);
    p.put("model.path", TestStack.model().toString());
    p.put("device", "cpu");
    p.put("ort.threads", "1");
    p.put("sigma", "0.25");
    p.put("n0", "10");
    p.put("n", "2000");
    p.put("batch", "1000");
    p.put("topic.images", images);
    p.put("topic.predictions", predictions);
    p.put("topic.dlq", "scale-dlq");
    p.put("topic.summary", "scale-summary");
    p.put("registry.url", TestStack.get().registryUrl());
    p.put("kafka.bootstrap.servers", TestStack.get().bootstrapServers());
    p.put("kafka.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS));
    p.put("kafka.heartbeat.interval.ms", "1000");
    Path config = dir.resolve("auditor.properties");
    Files.writeString(
        config,
        p.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("\n")));

    List<Auditor> auditors = new ArrayList<>();
    try {
      for (String name : List.of("a", "b", "c")) auditors.add(start(config, dir, name));
      await(
          "three ready auditors in one group",
          auditors,
          () -> auditors.stream().allMatch(a -> ready(a) == 200) && members(app) == 3);

      List<String> first = IntStream.range(0, 36).mapToObj(i -> "img-" + i).toList();
      send(images, first);
      CommittedTopics.readUntil(predictions, PATIENCE, rs -> rs.size() >= 6);
      Auditor killed = auditors.remove(0);
      long killedAt = System.nanoTime();
      killed.process().destroyForcibly().waitFor(); // SIGKILL: no close, an open transaction
      await("the group to drop the killed member", auditors, () -> members(app) == 2);
      double detected = (System.nanoTime() - killedAt) / 1e9;
      var out =
          CommittedTopics.readUntil(
              predictions,
              PATIENCE,
              rs ->
                  CommittedTopics.predictions(rs, predictions).stream()
                      .map(x -> x.getImageId())
                      .collect(Collectors.toSet())
                      .containsAll(first));
      double recovered = (System.nanoTime() - killedAt) / 1e9;
      Map<String, Long> counts =
          CommittedTopics.counts(CommittedTopics.predictions(out, predictions));
      assertEquals(Set.copyOf(first), counts.keySet());
      counts.forEach((id, c) -> assertEquals(1L, c, id + " exactly once after the SIGKILL"));

      // graceful stop: the member leaves the group at once, not after session.timeout.ms
      Auditor stopped = auditors.remove(auditors.size() - 1);
      long stopAt = System.nanoTime();
      stopped.process().destroy(); // SIGTERM: close, commit, leave the group
      await("the group to drop the stopped member", auditors, () -> members(app) == 1);
      double left = (System.nanoTime() - stopAt) / 1e9;
      assertTrue(stopped.process().waitFor(60, TimeUnit.SECONDS), "the stopped auditor exits");
      assertTrue(
          left * 1000 < SESSION_TIMEOUT_MS,
          "left the group in " + left + " s, before the session timeout");

      List<String> second = IntStream.range(36, 42).mapToObj(i -> "img-" + i).toList();
      send(images, second);
      List<String> all = new ArrayList<>(first);
      all.addAll(second);
      var end =
          CommittedTopics.readUntil(
              predictions,
              PATIENCE,
              rs ->
                  CommittedTopics.predictions(rs, predictions).stream()
                      .map(x -> x.getImageId())
                      .collect(Collectors.toSet())
                      .containsAll(all));
      Map<String, Long> finalCounts =
          CommittedTopics.counts(CommittedTopics.predictions(end, predictions));
      assertEquals(Set.copyOf(all), finalCounts.keySet());
      finalCounts.forEach((id, c) -> assertEquals(1L, c, id + " exactly once"));
      System.out.printf(
          "scale-out: SIGKILL detected by the group after %.1f s (session.timeout.ms=%d), all %d images "
              + "committed %.1f s after the kill; graceful stop left the group after %.1f s; the last auditor took all %d partitions%n",
          detected, SESSION_TIMEOUT_MS, first.size(), recovered, left, PARTITIONS);
    } finally {
      for (Auditor a : auditors) {
        a.process().destroy();
        if (!a.process().waitFor(60, TimeUnit.SECONDS)) a.process().destroyForcibly();
      }
    }
  }
}
