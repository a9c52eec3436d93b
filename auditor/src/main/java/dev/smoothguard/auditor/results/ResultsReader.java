package dev.smoothguard.auditor.results;

import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.serde.AvroDeserializer;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the auditor's output topics from the beginning, committed records only
 * (isolation.level=read_committed), without a consumer group: what a downstream consumer sees.
 */
public final class ResultsReader implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AvroDeserializer<CertifiedPrediction> predictions;
  private final AvroDeserializer<AuditFailure> failures;
  private final String predictionsTopic;
  private final String dlqTopic;

  /** What one poll brought. */
  public record Batch(List<CertifiedPrediction> predictions, List<AuditFailure> failures) {}

  public ResultsReader(
      String bootstrap, RegistryClient registry, String predictionsTopic, String dlqTopic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.predictions = AvroDeserializer.specific(registry, CertifiedPrediction.class);
    this.failures = AvroDeserializer.specific(registry, AuditFailure.class);
    this.predictionsTopic = predictionsTopic;
    this.dlqTopic = dlqTopic;
    List<TopicPartition> parts = new ArrayList<>();
    for (String t : List.of(predictionsTopic, dlqTopic)) {
      List<PartitionInfo> infos = consumer.partitionsFor(t, Duration.ofSeconds(30));
      if (infos == null) throw new IllegalStateException("topic " + t + " does not exist");
      for (PartitionInfo p : infos) parts.add(new TopicPartition(t, p.partition()));
    }
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
  }

  public Batch poll(Duration timeout) {
    List<CertifiedPrediction> ps = new ArrayList<>();
    List<AuditFailure> fs = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
      if (r.topic().equals(predictionsTopic)) {
        ps.add(predictions.deserialize(r.topic(), r.value()));
      } else if (r.topic().equals(dlqTopic)) {
        fs.add(failures.deserialize(r.topic(), r.value()));
      }
    }
    return new Batch(ps, fs);
  }

  @Override
  public void close() {
    consumer.close();
  }
}
