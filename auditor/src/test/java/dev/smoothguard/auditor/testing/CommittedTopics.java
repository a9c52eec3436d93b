package dev.smoothguard.auditor.testing;

import dev.smoothguard.auditor.replay.ImageEvents;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.serde.AvroDeserializer;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.ImageEncoding;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.smoothing.data.Image;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads output topics as a downstream consumer does (read_committed, from the beginning, no group),
 * and makes test images: for the tests on the real broker.
 */
public final class CommittedTopics {
  private CommittedTopics() {}

  /** Every committed record of a topic until the condition holds (or the patience runs out). */
  public static List<ConsumerRecord<byte[], byte[]>> readUntil(
      String topic, Duration patience, Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
    List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.nanoTime() + patience.toNanos();
      while (System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(all::add);
        if (done.test(all)) {
          c.poll(Duration.ofMillis(1000)).forEach(all::add); // a late duplicate would show up here
          return all;
        }
      }
      return all;
    }
  }

  public static List<CertifiedPrediction> predictions(
      List<ConsumerRecord<byte[], byte[]>> records, String topic) {
    var d = AvroDeserializer.specific(TestStack.registry(), CertifiedPrediction.class);
    return records.stream().map(r -> d.deserialize(topic, r.value())).toList();
  }

  public static List<AuditFailure> failures(
      List<ConsumerRecord<byte[], byte[]>> records, String topic) {
    var d = AvroDeserializer.specific(TestStack.registry(), AuditFailure.class);
    return records.stream().map(r -> d.deserialize(topic, r.value())).toList();
  }

  /** How many times each image id appears. */
  public static Map<String, Long> counts(List<CertifiedPrediction> ps) {
    return ps.stream()
        .collect(Collectors.groupingBy(CertifiedPrediction::getImageId, Collectors.counting()));
  }

  /** A random 28x28 grey test image as an ImageEvent (PNG). */
  public static ImageEvent image(String id, int seed) {
    float[] px = new float[28 * 28];
    Random r = new Random(seed);
    for (int i = 0; i < px.length; i++) px[i] = r.nextInt(256) / 255f;
    return ImageEvents.of(
        id, new Image(1, 28, 28, px), seed % 10, ImageEncoding.PNG, "test", Instant.now());
  }

  /** Read-only view of a registry client for the tests' producers. */
  public static RegistryClient registry() {
    return TestStack.registry();
  }
}
