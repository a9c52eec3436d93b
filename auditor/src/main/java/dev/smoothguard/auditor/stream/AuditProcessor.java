package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.image.DecodedImage;
import dev.smoothguard.auditor.image.ImageRejectedException;
import dev.smoothguard.auditor.ops.AuditorMetrics;
import dev.smoothguard.schemas.serde.AvroDeserializer;
import dev.smoothguard.schemas.serde.SerdeException;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.FailureReason;
import dev.smoothguard.schemas.v1.ImageEvent;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit step for one raw input record: deserialize the ImageEvent, decode and validate the
 * image, certify it. Every failure an input can cause becomes an AuditFailure outcome carrying
 * the original bytes; only a registry outage is thrown (it is transient, and the record must
 * be retried, not dead-lettered). The record's timestamp becomes the event time, so summary
 * windows are in event time.
 */
final class AuditProcessor implements FixedKeyProcessor<byte[], byte[], Outcome> {
  private static final Logger LOG = LoggerFactory.getLogger(AuditProcessor.class);
  private final AvroDeserializer<ImageEvent> images;
  private final Certifier certifier;
  private final AuditorMetrics metrics;
  private FixedKeyProcessorContext<byte[], Outcome> context;

  AuditProcessor(AvroDeserializer<ImageEvent> images, Certifier certifier, AuditorMetrics metrics) {
    this.images = images;
    this.certifier = certifier;
    this.metrics = metrics;
  }

  @Override
  public void init(FixedKeyProcessorContext<byte[], Outcome> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<byte[], byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElse(null);
    String topic = meta == null ? null : meta.topic();
    int partition = meta == null ? -1 : meta.partition();
    long offset = meta == null ? -1 : meta.offset();

    ImageEvent event;
    try {
      if (record.value() == null) {
        fail(record, FailureReason.UNDECODABLE_RECORD, "tombstone (null value) on the images topic",
            topic, partition, offset, null, null);
        return;
      }
      event = images.deserialize(topic, record.value());
    } catch (SerdeException e) {
      if (e.isTransient()) throw e; // registry outage: fail the task, retry the record later
      fail(record, e.failureReason(), e.getMessage(), topic, partition, offset, null, e);
      return;
    } catch (RuntimeException e) {
      fail(record, FailureReason.UNDECODABLE_RECORD, "not an ImageEvent: " + e.getMessage(),
          topic, partition, offset, null, e);
      return;
    }

    DecodedImage image;
    try {
      image = certifier.decode(event);
    } catch (ImageRejectedException e) {
      fail(record, FailureRecords.reasonOf(e.reason()), e.getMessage(), topic, partition, offset, event.getId(), e);
      return;
    }

    CertifiedPrediction prediction;
    try {
      prediction = certifier.certify(event, image);
    } catch (Certifier.ModelFailureException e) {
      LOG.warn("{}", e.getMessage());
      fail(record, FailureReason.MODEL_ERROR, e.getMessage(), topic, partition, offset, event.getId(), e.getCause());
      return;
    }
    metrics.certified(prediction.getModel().getName(), prediction.getAbstained(),
        prediction.getSamplesUsed(), prediction.getLatencyMs());
    var model = prediction.getModel();
    context.forward(record
        .withValue((Outcome) new Outcome.Certified(prediction))
        .withTimestamp(event.getEventTime().toEpochMilli())
        .withHeaders(LineageHeaders.of(model.getName(), model.getVersion(), model.getSha256(), prediction.getDevice())));
  }

  private void fail(FixedKeyRecord<byte[], byte[]> record, FailureReason reason, String message,
      String topic, int partition, long offset, String imageId, Throwable cause) {
    AuditFailure failure = FailureRecords.of(reason, message, topic, partition, offset,
        record.key(), record.value(), imageId, cause);
    metrics.deadLettered(reason.name());
    LOG.debug("dead-lettered {}-{}@{}: {} {}", topic, partition, offset, reason, message);
    context.forward(record.withValue((Outcome) new Outcome.Failed(failure)));
  }
}
