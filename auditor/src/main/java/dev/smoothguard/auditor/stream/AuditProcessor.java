package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.image.DecodedImage;
import dev.smoothguard.auditor.image.ImageRejectedException;
import dev.smoothguard.auditor.ops.AuditorMetrics;
import dev.smoothguard.auditor.ops.SystemHealth;
import dev.smoothguard.auditor.ops.SystemHealth.Component;
import dev.smoothguard.schemas.serde.AvroDeserializer;
import dev.smoothguard.schemas.serde.SerdeException;
import dev.smoothguard.schemas.serde.UnknownSchemaIdException;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.FailureReason;
import dev.smoothguard.schemas.v1.ImageEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit step for one raw input record: deserialize the ImageEvent, check its event time, decode
 * and validate the image, certify it.
 *
 * <p>The fault model: whatever is the record's fault (bytes, schema id, image, size, event time, an
 * engine error that the engine's probe does not reproduce) becomes an AuditFailure for the
 * dead-letter topic, cut to fit ({@link DeadLetterFit}). A fault of the system (registry refusing
 * or unreachable, an engine that fails on a known-good image too, the same engine error on {@code
 * engine.error.streak} images in a row) is thrown as a {@link SystemFaultException}: nothing is
 * written or committed for the record, and it is read again once the stream thread comes back (see
 * {@link DeadLetterHandlers}).
 *
 * <p>After each certification the processor asks for a commit ({@code context.commit()}), so a
 * transaction holds at most one certification per task of the thread (see {@link
 * TransactionBudget}). The record's event time becomes its timestamp, so summary windows are in
 * event time. Predictions carry the input's headers plus the lineage headers.
 */
final class AuditProcessor implements FixedKeyProcessor<byte[], byte[], Outcome> {
  private static final Logger LOG = LoggerFactory.getLogger(AuditProcessor.class);

  /** Header added when the input's headers were too large to copy onto the outputs. */
  static final String HEADERS_DROPPED = "smoothguard.headers.dropped";

  private final AvroDeserializer<ImageEvent> images;
  private final ImageCertifier certifier;
  private final AuditorMetrics metrics;
  private final SystemHealth health;
  private final StreamSettings settings;
  private final DeadLetterFit fit;
  private final RegistryProbe registryProbe;
  private final EngineErrorStreak streak;
  private FixedKeyProcessorContext<byte[], Outcome> context;

  AuditProcessor(
      AvroDeserializer<ImageEvent> images,
      ImageCertifier certifier,
      AuditorMetrics metrics,
      SystemHealth health,
      StreamSettings settings,
      DeadLetterFit fit,
      RegistryProbe registryProbe,
      EngineErrorStreak streak) {
    this.images = images;
    this.certifier = certifier;
    this.metrics = metrics;
    this.health = health;
    this.settings = settings;
    this.fit = fit;
    this.registryProbe = registryProbe;
    this.streak = streak;
  }

  @Override
  public void init(FixedKeyProcessorContext<byte[], Outcome> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<byte[], byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElse(null);
    Source src =
        new Source(
            meta == null ? null : meta.topic(),
            meta == null ? -1 : meta.partition(),
            meta == null ? -1 : meta.offset());

    ImageEvent event;
    try {
      if (record.value() == null) {
        fail(
            record,
            FailureReason.UNDECODABLE_RECORD,
            "tombstone (null value) on the images topic",
            src,
            null,
            null);
        return;
      }
      event = images.deserialize(src.topic, record.value());
    } catch (SerdeException e) {
      if (Faults.systemComponent(e).isPresent()) {
        throw new SystemFaultException(Component.REGISTRY, Faults.describe(e), e);
      }
      if (e instanceof UnknownSchemaIdException) {
        Optional<String> registryProblem = registryProbe.problem();
        if (registryProblem.isPresent())
          throw new SystemFaultException(Component.REGISTRY, registryProblem.get(), e);
      }
      fail(record, e.failureReason(), e.getMessage(), src, null, e);
      return;
    } catch (RuntimeException e) {
      fail(
          record,
          FailureReason.UNDECODABLE_RECORD,
          "not an ImageEvent: " + e.getMessage(),
          src,
          null,
          e);
      return;
    }

    Optional<String> badTime = checkEventTime(event.getEventTime());
    if (badTime.isPresent()) {
      fail(record, FailureReason.INVALID_EVENT_TIME, badTime.get(), src, event.getId(), null);
      return;
    }

    DecodedImage image;
    try {
      image = certifier.decode(event);
    } catch (ImageRejectedException e) {
      fail(record, FailureRecords.reasonOf(e.reason()), e.getMessage(), src, event.getId(), e);
      return;
    }

    CertifiedPrediction prediction;
    metrics.certificationStarted(certifier.modelRef().getName());
    try {
      prediction = certifier.certify(event, image);
    } catch (Certifier.ModelFailureException e) {
      engineFailed(record, e, src, event.getId());
      return;
    }
    streak.success();
    health.resumed();
    metrics.certified(
        prediction.getModel().getName(),
        prediction.getAbstained(),
        prediction.getSamplesUsed(),
        prediction.getLatencyMs());
    var model = prediction.getModel();
    Headers headers = outputHeaders(record.headers());
    LineageHeaders.of(
            model.getName(), model.getVersion(), model.getSha256(), prediction.getDevice())
        .forEach(h -> headers.add(h));
    context.forward(
        record
            .withValue((Outcome) new Outcome.Certified(prediction))
            .withTimestamp(event.getEventTime().toEpochMilli())
            .withHeaders(headers));
    // one certification per task per transaction: the commit comes at the end of this loop
    context.commit();
  }

  /**
   * The engine failed on this image. Dead-letter it (MODEL_ERROR) only when the engine still works
   * on a known-good image and the same error has not hit {@code engine.error.streak} images in a
   * row; otherwise the engine is broken, whatever the image.
   */
  private void engineFailed(
      FixedKeyRecord<byte[], byte[]> record,
      Certifier.ModelFailureException e,
      Source src,
      String imageId) {
    Optional<String> broken = certifier.probe();
    if (broken.isPresent()) throw new SystemFaultException(Component.ENGINE, broken.get(), e);
    String error =
        e.getCause() == null ? e.getMessage() : String.valueOf(e.getCause().getMessage());
    int inARow = streak.failure(error);
    if (inARow >= settings.engineErrorStreak()) {
      throw new SystemFaultException(
          Component.ENGINE,
          "the same engine error on "
              + inARow
              + " images in a row (engine.error.streak="
              + settings.engineErrorStreak()
              + "): "
              + error,
          e);
    }
    LOG.warn("{}", e.getMessage());
    fail(record, FailureReason.MODEL_ERROR, e.getMessage(), src, imageId, e.getCause());
  }

  /**
   * Negative, or further ahead of this clock than the allowed skew: not a time the windows can use.
   */
  Optional<String> checkEventTime(Instant t) {
    if (t.toEpochMilli() < 0) return Optional.of("eventTime " + t + " is before 1970 (negative)");
    Instant limit = Instant.now().plus(settings.maxFutureSkew());
    if (t.isAfter(limit)) {
      return Optional.of(
          "eventTime "
              + t
              + " is more than "
              + settings.maxFutureSkew()
              + " ahead of the auditor's clock (event.time.max.future.skew)");
    }
    return Optional.empty();
  }

  /** The input's headers, unless they are too large to copy (then a marker saying so). */
  private Headers outputHeaders(Headers input) {
    int size = DeadLetterFit.headerBytes(input);
    if (fit.headersFit(size)) return new RecordHeaders(input.toArray());
    RecordHeaders h = new RecordHeaders();
    h.add(HEADERS_DROPPED, Integer.toString(size).getBytes(StandardCharsets.UTF_8));
    return h;
  }

  private void fail(
      FixedKeyRecord<byte[], byte[]> record,
      FailureReason reason,
      String message,
      Source src,
      String imageId,
      Throwable cause) {
    AuditFailure failure =
        FailureRecords.of(
            reason,
            message,
            src.topic,
            src.partition,
            src.offset,
            record.key(),
            record.value(),
            imageId,
            cause);
    Headers headers = outputHeaders(record.headers());
    failure =
        fit.fit(
            failure,
            record.key() == null ? 0 : record.key().length,
            DeadLetterFit.headerBytes(headers));
    health.resumed();
    metrics.deadLettered(reason.name());
    LOG.debug(
        "dead-lettered {}-{}@{}: {} {}{}",
        src.topic,
        src.partition,
        src.offset,
        reason,
        message,
        failure.getOriginalTruncated() ? " (original cut to fit)" : "");
    context.forward(record.withValue((Outcome) new Outcome.Failed(failure)).withHeaders(headers));
  }

  private record Source(String topic, int partition, long offset) {}
}
