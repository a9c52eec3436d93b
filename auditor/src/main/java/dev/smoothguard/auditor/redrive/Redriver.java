package dev.smoothguard.auditor.redrive;

import dev.smoothguard.auditor.replay.Deliveries;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.serde.AvroDeserializer;
import dev.smoothguard.schemas.serde.SerdeException;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.smoothing.errors.UserError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends dead letters back: reads the AuditFailure records of the dead-letter topic ({@code
 * read_committed}, every partition from the start up to its end as seen when the run starts, so
 * records dead-lettered meanwhile wait for the next run), keeps those the filter selects, and
 * produces the original key and value bytes of each complete one to the target topic (one whose
 * value was cut to fit the dead-letter topic is skipped and counted as such), marked with the
 * header {@link #REDRIVE_HEADER} = {@code dlqTopic/partition/offset} of the dead letter and {@link
 * #ORIGIN_HEADER} = {@code topic/partition/offset} of the original. Every send is checked. Reads
 * with no consumer group: nothing is committed, a run can be repeated (and re-sends what it sent
 * before).
 */
public final class Redriver implements AutoCloseable {
  public static final String REDRIVE_HEADER = "smoothguard.redrive";
  public static final String ORIGIN_HEADER = "smoothguard.redrive.origin";

  private static final Duration POLL = Duration.ofMillis(500);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final AvroDeserializer<AuditFailure> failures;

  /**
   * @param consumerSettings Kafka consumer settings (bootstrap, security...)
   * @param producerSettings Kafka producer settings
   */
  public Redriver(
      Map<String, ?> consumerSettings, Map<String, ?> producerSettings, RegistryClient registry) {
    Map<String, Object> c = new HashMap<>(consumerSettings);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    Map<String, Object> p = new HashMap<>(producerSettings);
    p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    p.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    this.consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.failures = AvroDeserializer.specific(registry, AuditFailure.class);
  }

  /**
   * Redrives the dead letters of {@code dlqTopic} that {@code filter} selects to {@code target}.
   *
   * @param dryRun decide and count only; send nothing
   * @throws UserError when the dead-letter topic does not exist or is the target, Kafka cannot be
   *     reached, or the registry is down or refuses the client
   * @throws dev.smoothguard.auditor.replay.DeliveryFailedException when the broker refused some
   *     sends
   */
  public RedriveReport run(String dlqTopic, String target, RedriveFilter filter, boolean dryRun) {
    if (dlqTopic.equals(target)) {
      throw new UserError("the target topic is the dead-letter topic '" + dlqTopic + "'");
    }
    List<TopicPartition> partitions = partitionsOf(dlqTopic);
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    // read_committed: the end is the last stable offset, so open transactions are not waited for
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    RedriveReport report = new RedriveReport(dryRun);
    Deliveries deliveries = new Deliveries();
    while (!reachedEnd(end)) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        if (record.offset() >= end.get(tp)) {
          continue;
        }
        handle(record, target, filter, dryRun, report, deliveries);
      }
    }
    producer.flush();
    deliveries.check("redriven records to topic '" + target + "'");
    return report;
  }

  private void handle(
      ConsumerRecord<byte[], byte[]> record,
      String target,
      RedriveFilter filter,
      boolean dryRun,
      RedriveReport report,
      Deliveries deliveries) {
    AuditFailure failure;
    try {
      failure =
          record.value() == null ? null : failures.deserialize(record.topic(), record.value());
    } catch (SerdeException e) {
      if (e.isSystemFault()) {
        // the registry is down or refuses us: no dead letter can be read, stop
        throw new UserError("schema registry: " + e.getMessage(), e);
      }
      failure = null;
    } catch (SerializationException e) {
      failure = null;
    }
    if (failure == null) {
      report.unreadable();
      return;
    }
    Decision decision = decide(failure, filter);
    report.record(failure.getReason(), decision);
    if (decision != Decision.SENT || dryRun) {
      return;
    }
    RecordHeaders headers = new RecordHeaders();
    headers.add(REDRIVE_HEADER, position(record.topic(), record.partition(), record.offset()));
    headers.add(
        ORIGIN_HEADER,
        position(failure.getSourceTopic(), failure.getPartition(), failure.getOffset()));
    ProducerRecord<byte[], byte[]> out =
        new ProducerRecord<>(
            target, null, null, bytes(failure.getKey()), bytes(failure.getValue()), headers);
    try {
      producer.send(out, deliveries.callback());
    } catch (KafkaException e) {
      deliveries.failedNow(e);
    }
  }

  static Decision decide(AuditFailure failure, RedriveFilter filter) {
    if (!filter.reasonMatches(failure.getReason())) {
      return Decision.OTHER_REASON;
    }
    if (!filter.timeMatches(failure.getTime())) {
      return Decision.OUTSIDE_TIME_RANGE;
    }
    if (failure.getValue() == null) {
      return Decision.NO_ORIGINAL_VALUE;
    }
    if (isTruncated(failure)) {
      return Decision.TRUNCATED_ORIGINAL;
    }
    return Decision.SENT;
  }

  /**
   * True when the dead letter says its value is only a prefix of the original (it was cut to fit
   * the dead-letter topic). Dead letters written before the field existed are read with its
   * default, false: they hold complete originals.
   */
  static boolean isTruncated(AuditFailure failure) {
    return failure.getOriginalTruncated();
  }

  private List<TopicPartition> partitionsOf(String topic) {
    List<PartitionInfo> infos;
    try {
      infos = consumer.partitionsFor(topic);
    } catch (TimeoutException e) {
      throw new UserError("cannot reach Kafka to read topic '" + topic + "': " + e.getMessage(), e);
    }
    if (infos == null || infos.isEmpty()) {
      throw new UserError("dead-letter topic '" + topic + "' does not exist");
    }
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo info : infos) {
      partitions.add(new TopicPartition(topic, info.partition()));
    }
    return partitions;
  }

  private boolean reachedEnd(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static byte[] position(String topic, int partition, long offset) {
    return (topic + "/" + partition + "/" + offset).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  @Override
  public void close() {
    consumer.close();
    producer.close();
  }
}
