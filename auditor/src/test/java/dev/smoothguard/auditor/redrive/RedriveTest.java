package dev.smoothguard.auditor.redrive;

import static dev.smoothguard.auditor.testing.CapturedCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.auditor.stream.FailureRecords;
import dev.smoothguard.auditor.testing.TestStack;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.schemas.serde.AvroSerializer;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.FailureReason;
import dev.smoothguard.smoothing.errors.UserError;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** redrive on the real broker and registry: what it sends, what it skips, how it marks them. */
@ExtendWith(TestStack.Cleanup.class)
class RedriveTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static String dlq;

  /**
   * One dead-letter topic (2 partitions) for all tests: committed dead letters and an aborted one.
   */
  @BeforeAll
  static void deadLetters() throws Exception {
    dlq = "redrive-dlq-" + UUID.randomUUID();
    createTopics(2, dlq);
    Map<String, Object> p =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            TestStack.get().bootstrapServers(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            "redrive-test-" + UUID.randomUUID());
    try (KafkaProducer<String, AuditFailure> producer =
        new KafkaProducer<>(
            p, new StringSerializer(), new AvroSerializer<>(TestStack.registry(), false))) {
      producer.initTransactions();
      producer.beginTransaction();
      send(producer, 0, failure(FailureReason.BAD_IMAGE, "k1", "v1", T0, 11));
      send(
          producer,
          1,
          failure(FailureReason.MODEL_ERROR, "k2", "v2", T0.plus(Duration.ofHours(1)), 12));
      send(producer, 0, failure(FailureReason.UNDECODABLE_RECORD, "k3", "v3", T0, 13));
      send(
          producer,
          1,
          failure(FailureReason.BAD_IMAGE, "k4", "v4", T0.plus(Duration.ofHours(2)), 14));
      send(producer, 0, failure(FailureReason.BAD_IMAGE, "k5", null, T0, 15)); // a tombstone
      send(producer, 1, failure(FailureReason.MODEL_ERROR, null, "v6", T0, 16)); // no key
      producer.commitTransaction();
      producer.beginTransaction();
      send(producer, 0, failure(FailureReason.BAD_IMAGE, "aborted", "aborted", T0, 17));
      producer.abortTransaction();
    }
    // not an AuditFailure at all
    try (KafkaProducer<String, String> raw =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers()),
            new StringSerializer(),
            new StringSerializer())) {
      raw.send(new ProducerRecord<>(dlq, 1, "junk", "{\"not\":\"avro\"}")).get();
    }
  }

  @Test
  void sendsTheOriginalBytesOfTheSelectedCompleteDeadLettersAndCountsTheRest() throws Exception {
    String target = "redrive-target-" + UUID.randomUUID();
    createTopics(1, target);
    RedriveFilter filter =
        new RedriveFilter(
            Set.of(FailureReason.BAD_IMAGE, FailureReason.MODEL_ERROR),
            Optional.of(T0),
            Optional.of(T0.plus(Duration.ofMinutes(90))));
    RedriveReport report;
    try (Redriver redriver = redriver()) {
      report = redriver.run(dlq, target, filter, false);
    }
    assertEquals(1, report.count(FailureReason.BAD_IMAGE, Decision.SENT));
    assertEquals(2, report.count(FailureReason.MODEL_ERROR, Decision.SENT));
    assertEquals(1, report.count(FailureReason.BAD_IMAGE, Decision.OUTSIDE_TIME_RANGE));
    assertEquals(1, report.count(FailureReason.BAD_IMAGE, Decision.NO_ORIGINAL_VALUE));
    assertEquals(1, report.count(FailureReason.UNDECODABLE_RECORD, Decision.OTHER_REASON));
    assertEquals(1, report.unreadableCount());
    assertEquals(3, report.total(Decision.SENT), "the aborted dead letter is not read");

    List<ConsumerRecord<byte[], byte[]>> sent = readAll(target, 3);
    Map<String, String> valueByKey = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : sent) {
      valueByKey.put(
          r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
          new String(r.value(), StandardCharsets.UTF_8));
      String mark =
          new String(
              r.headers().lastHeader(Redriver.REDRIVE_HEADER).value(), StandardCharsets.UTF_8);
      assertTrue(mark.matches(Pattern.quote(dlq) + "/[01]/\\d+"), mark);
      String origin =
          new String(
              r.headers().lastHeader(Redriver.ORIGIN_HEADER).value(), StandardCharsets.UTF_8);
      assertTrue(origin.matches("images/0/1[126]"), origin);
    }
    assertEquals(
        Map.of("k1", "v1", "k2", "v2"),
        Map.of("k1", valueByKey.get("k1"), "k2", valueByKey.get("k2")));
    assertTrue(
        valueByKey.containsKey(null) && valueByKey.get(null).equals("v6"),
        "a keyless original stays keyless");
  }

  @Test
  void theCommandFiltersByRepeatedReasonsAndPrintsCountsPerReason(@TempDir Path dir)
      throws Exception {
    String target = "redrive-cli-" + UUID.randomUUID();
    createTopics(1, target);
    Path config = dir.resolve("auditor.properties");
    Files.writeString(
        config,
        "kafka.bootstrap.servers="
            + TestStack.get().bootstrapServers()
            + "\n"
            + "registry.url="
            + TestStack.get().registryUrl()
            + "\n"
            + "topic.dlq="
            + dlq
            + "\n"
            + "model.path=whatever.onnx\n");
    int[] code = {-1};
    String out =
        run(
            code,
            "redrive",
            "--config",
            config.toString(),
            "--to-topic",
            target,
            "--reason",
            "BAD_IMAGE",
            "--reason",
            "undecodable_record");
    assertEquals(0, code[0], out);
    assertTrue(out.contains("redrive " + dlq + " -> " + target), out);
    assertTrue(
        out.lines()
            .anyMatch(
                l -> l.startsWith("BAD_IMAGE") && l.matches("BAD_IMAGE\\s+2\\s+0\\s+0\\s+1\\s+0")),
        out);
    assertTrue(out.lines().anyMatch(l -> l.matches("MODEL_ERROR\\s+0\\s+2\\s+0\\s+0\\s+0")), out);
    assertTrue(out.contains("sent 3, skipped 3, unreadable 1"), out);
    assertEquals(3, readAll(target, 3).size());

    String dry =
        run(code, "redrive", "--config", config.toString(), "--to-topic", target, "--dry-run");
    assertEquals(0, code[0], dry);
    assertTrue(dry.contains("would send 5, skipped 1, unreadable 1"), dry);

    String bad = run(code, "redrive", "--config", config.toString(), "--reason", "NOPE");
    assertEquals(2, code[0], bad);
    assertTrue(bad.contains("--reason: unknown reason 'NOPE'"), bad);
    String badTime = run(code, "redrive", "--config", config.toString(), "--from", "yesterday");
    assertEquals(2, code[0], badTime);
    assertTrue(badTime.contains("--from: not an ISO-8601 instant"), badTime);
  }

  @Test
  void aDeadLetterCutToFitIsSkippedAndReportedWhileTheCompleteOneNextToItIsSent() throws Exception {
    String cutDlq = "redrive-cut-dlq-" + UUID.randomUUID();
    String target = "redrive-cut-target-" + UUID.randomUUID();
    createTopics(1, cutDlq, target);
    AuditFailure cut = failure(FailureReason.TOO_LARGE, "big", "first bytes only", T0, 21);
    cut.setOriginalTruncated(true);
    cut.setOriginalSize(8_000_000L);
    AuditFailure complete = failure(FailureReason.TOO_LARGE, "small", "whole value", T0, 22);
    try (KafkaProducer<String, AuditFailure> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers()),
            new StringSerializer(),
            new AvroSerializer<>(TestStack.registry(), false))) {
      producer.send(new ProducerRecord<>(cutDlq, 0, "dead", cut)).get();
      producer.send(new ProducerRecord<>(cutDlq, 0, "dead", complete)).get();
    }

    RedriveReport report;
    try (Redriver redriver = redriver()) {
      report = redriver.run(cutDlq, target, RedriveFilter.all(), false);
    }
    assertEquals(1, report.count(FailureReason.TOO_LARGE, Decision.TRUNCATED_ORIGINAL));
    assertEquals(1, report.count(FailureReason.TOO_LARGE, Decision.SENT));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    report.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
    String table = printed.toString(StandardCharsets.UTF_8);
    assertTrue(table.lines().findFirst().orElseThrow().endsWith("cut to fit"), table);
    assertTrue(table.lines().anyMatch(l -> l.matches("TOO_LARGE\\s+1\\s+0\\s+0\\s+0\\s+1")), table);
    assertTrue(table.contains("sent 1, skipped 1, unreadable 0"), table);

    List<ConsumerRecord<byte[], byte[]>> sent = readAll(target, 1);
    assertEquals(1, sent.size(), "only the complete original is re-sent");
    assertEquals("small", new String(sent.get(0).key(), StandardCharsets.UTF_8));
    assertEquals("whole value", new String(sent.get(0).value(), StandardCharsets.UTF_8));
    assertEquals(
        "images/0/22",
        new String(
            sent.get(0).headers().lastHeader(Redriver.ORIGIN_HEADER).value(),
            StandardCharsets.UTF_8));
  }

  @Test
  void aMissingDeadLetterTopicIsNamed() {
    try (Redriver redriver = redriver()) {
      UserError e =
          assertThrows(
              UserError.class,
              () ->
                  redriver.run("no-such-dlq-" + UUID.randomUUID(), "x", RedriveFilter.all(), true));
      assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
  }

  @Test
  void aRegistryThatCannotBeReachedStopsTheRunInsteadOfSkippingEveryDeadLetter() throws Exception {
    String target = "redrive-noregistry-" + UUID.randomUUID();
    createTopics(1, target);
    Map<String, Object> kafka = Map.of("bootstrap.servers", TestStack.get().bootstrapServers());
    RegistryClient down =
        new RegistryClient(
            RegistryConfig.of("http://127.0.0.1:1")
                .withRetries(0, Duration.ofMillis(10), Duration.ofMillis(10)));
    try (Redriver redriver = new Redriver(kafka, kafka, down)) {
      UserError e =
          assertThrows(
              UserError.class, () -> redriver.run(dlq, target, RedriveFilter.all(), false));
      assertTrue(
          e.getMessage().startsWith("schema registry: ") && e.getMessage().contains("unavailable"),
          e.getMessage());
    }
  }

  private static Redriver redriver() {
    Map<String, Object> kafka = Map.of("bootstrap.servers", TestStack.get().bootstrapServers());
    return new Redriver(kafka, kafka, TestStack.registry());
  }

  private static AuditFailure failure(
      FailureReason reason, String key, String value, Instant time, long offset) {
    AuditFailure f =
        FailureRecords.of(
            reason,
            reason + " for the test",
            "images",
            0,
            offset,
            key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            value == null ? null : value.getBytes(StandardCharsets.UTF_8),
            null,
            null);
    f.setTime(time);
    return f;
  }

  private static void send(
      KafkaProducer<String, AuditFailure> producer, int partition, AuditFailure f) {
    producer.send(new ProducerRecord<>(dlq, partition, "dead", f));
  }

  private static void createTopics(int partitions, String... names) throws Exception {
    try (Admin admin =
        Admin.create(Map.of("bootstrap.servers", TestStack.get().bootstrapServers()))) {
      List<NewTopic> topics = new ArrayList<>();
      for (String name : names) topics.add(new NewTopic(name, partitions, (short) 1));
      admin.createTopics(topics).all().get();
    }
  }

  /** Every committed record of a one-partition topic, waiting until there are {@code expected}. */
  private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
    Map<String, Object> c =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            TestStack.get().bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(300)).forEach(out::add);
      }
      // nothing more arrives
      consumer.poll(Duration.ofSeconds(1)).forEach(out::add);
    }
    return out;
  }
}
