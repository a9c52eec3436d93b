package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.ops.AuditorMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * Kafka Streams' clients, with the producer watched: under exactly-once the work of the stream
 * becomes real only when its transaction commits, so the counters of committed work ({@link
 * AuditorMetrics#onCommit}) are applied on {@code commitTransaction} and dropped on {@code
 * abortTransaction} (or when the producer closes with a transaction open), and every committed and
 * aborted transaction is counted. Streams calls these on the stream thread that did the work, which
 * is what lets the metrics keep the pending work per thread.
 */
final class TransactionAwareClients implements KafkaClientSupplier {
  private final AuditorMetrics metrics;

  TransactionAwareClients(AuditorMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public Admin getAdmin(Map<String, Object> config) {
    return Admin.create(config);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    return new WatchedProducer(
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()), metrics);
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Delegates everything; reports transaction outcomes to the metrics. */
  static final class WatchedProducer implements Producer<byte[], byte[]> {
    private final Producer<byte[], byte[]> delegate;
    private final AuditorMetrics metrics;

    WatchedProducer(Producer<byte[], byte[]> delegate, AuditorMetrics metrics) {
      this.delegate = delegate;
      this.metrics = metrics;
    }

    @Override
    public void initTransactions() {
      delegate.initTransactions();
    }

    @Override
    public void beginTransaction() {
      delegate.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(
        Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
      delegate.sendOffsetsToTransaction(offsets, group);
    }

    @Override
    public void commitTransaction() {
      delegate.commitTransaction(); // throws when the commit fails: the pending work is not counted
      metrics.transactionCommitted();
    }

    @Override
    public void abortTransaction() {
      try {
        delegate.abortTransaction();
      } finally {
        metrics.transactionAborted();
      }
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
      delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
      delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
      return delegate.send(record);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      return delegate.send(record, callback);
    }

    @Override
    public void flush() {
      delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
      return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
      return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
      return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
      metrics.producerClosed();
      delegate.close();
    }

    @Override
    public void close(Duration timeout) {
      metrics.producerClosed();
      delegate.close(timeout);
    }
  }
}
