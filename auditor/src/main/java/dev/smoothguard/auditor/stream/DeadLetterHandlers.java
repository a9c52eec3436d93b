package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.ops.AuditorMetrics;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.FailureReason;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' three exception handlers, wired to the same dead-letter topic as the audit step:
 * whatever fails outside it (an unexpected processing error, a result that cannot be serialized or
 * sent, a corrupt internal record) becomes an AuditFailure with the source record's original bytes,
 * and the stream goes on. Kafka Streams' built-in DLQ ({@code errors.dead.letter.queue.topic.name})
 * writes raw records, so these handlers build the AuditFailure themselves and hand it to Streams
 * through the handler response, which writes it in the same transaction as the task's output.
 *
 * <p>What they never do is dead-letter a fault of the system ({@link Faults}): those answer FAIL,
 * the stream thread dies without committing, and {@link SystemFaultPolicy} replaces it after a
 * backoff, so the record is read again from the last commit. Every dead letter is cut to fit
 * ({@link DeadLetterFit}); a dead letter the broker still refuses is replaced by a minimal one (no
 * key, no value: the original's size and sha256 only).
 */
public final class DeadLetterHandlers {
  /** Config key under which the streams properties carry the {@link Target} object. */
  public static final String TARGET_CONFIG = "smoothguard.dead.letter.target";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandlers.class);

  private DeadLetterHandlers() {}

  /** Where and how dead letters are written. */
  public record Target(
      String topic,
      Serializer<AuditFailure> serializer,
      AuditorMetrics metrics,
      DeadLetterFit fit) {
    public Target(String topic, Serializer<AuditFailure> serializer, AuditorMetrics metrics) {
      this(topic, serializer, metrics, new DeadLetterFit(DeadLetterFit.DEFAULT_MAX_REQUEST_SIZE));
    }
  }

  /**
   * Header on a dead letter that was already cut to nothing: if even it fails, the DLQ itself is
   * broken.
   */
  static final String MINIMAL_HEADER = "smoothguard.dead-letter.minimal";

  /** Puts the handlers and their target into streams properties. */
  public static void configure(Map<String, Object> props, Target target) {
    props.put(TARGET_CONFIG, target);
    props.put("processing.exception.handler", Processing.class.getName());
    props.put("production.exception.handler", Production.class.getName());
    props.put("deserialization.exception.handler", Deserialization.class.getName());
  }

  static Target target(Map<String, ?> configs) {
    Object t = configs.get(TARGET_CONFIG);
    if (!(t instanceof Target target)) {
      throw new IllegalStateException(
          TARGET_CONFIG + " is not set: use DeadLetterHandlers.configure");
    }
    return target;
  }

  /** True for faults of the system (a retry may cure them; the record is not to blame). */
  public static boolean isTransient(Throwable e) {
    return Faults.systemComponent(e).isPresent();
  }

  static List<ProducerRecord<byte[], byte[]>> deadLetter(
      Target target, ErrorHandlerContext ctx, FailureReason reason, Exception e) {
    AuditFailure failure =
        FailureRecords.of(
            reason,
            e.getMessage() == null ? e.toString() : e.getMessage(),
            ctx.topic(),
            ctx.partition(),
            ctx.offset(),
            ctx.sourceRawKey(),
            ctx.sourceRawValue(),
            null,
            e);
    failure =
        target.fit().fit(failure, ctx.sourceRawKey() == null ? 0 : ctx.sourceRawKey().length, 0);
    byte[] value = target.serializer().serialize(target.topic(), failure);
    target.metrics().deadLettered(reason.name());
    LOG.warn(
        "dead-lettered {}-{}@{} as {}: {}",
        ctx.topic(),
        ctx.partition(),
        ctx.offset(),
        reason,
        e.toString());
    return List.of(new ProducerRecord<>(target.topic(), null, ctx.sourceRawKey(), value));
  }

  /**
   * An exception escaped a processor: PROCESSING_ERROR, unless it is transient (then fail and
   * retry).
   */
  public static final class Processing implements ProcessingExceptionHandler {
    private Target target;

    @Override
    public void configure(Map<String, ?> configs) {
      target = target(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext ctx, Record<?, ?> record, Exception e) {
      if (isTransient(e)) {
        LOG.warn(
            "transient failure in {} ({}); the task restarts and retries",
            ctx.processorNodeId(),
            e.toString());
        return Response.fail();
      }
      try {
        return Response.resume(deadLetter(target, ctx, FailureReason.PROCESSING_ERROR, e));
      } catch (RuntimeException dlqFailed) {
        LOG.error(
            "cannot write the dead letter for {}-{}@{}: {}",
            ctx.topic(),
            ctx.partition(),
            ctx.offset(),
            dlqFailed.toString());
        return Response.fail();
      }
    }
  }

  /** A result could not be serialized or sent: PRODUCTION_ERROR (retriable send errors retry). */
  public static final class Production implements ProductionExceptionHandler {
    private Target target;
    private boolean exactlyOnce;

    @Override
    public void configure(Map<String, ?> configs) {
      target = target(configs);
      exactlyOnce = String.valueOf(configs.get("processing.guarantee")).startsWith("exactly_once");
    }

    @Override
    public Response handleError(
        ErrorHandlerContext ctx, ProducerRecord<byte[], byte[]> record, Exception e) {
      if (e instanceof RetriableException) return Response.retry();
      boolean dlq = target.topic().equals(record.topic());
      if (dlq && e instanceof RecordTooLargeException) return smallerDeadLetter(ctx, record, e);
      if (e instanceof RecordTooLargeException) {
        // a result too large: its source record becomes a dead letter (at-least-once); under
        // exactly-once the refused send dooms the transaction, so pause and retry instead
        return exactlyOnce ? Response.fail() : resumeWithDeadLetter(ctx, e);
      }
      if (isTransient(e)) return Response.fail(); // Kafka refuses the auditor itself: pause
      if (dlq) return Response.fail();
      return resumeWithDeadLetter(ctx, e);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(
        ErrorHandlerContext ctx,
        ProducerRecord record,
        Exception e,
        SerializationExceptionOrigin origin) {
      if (isTransient(e)) return Response.fail();
      if (target.topic().equals(record.topic()))
        return Response.fail(); // our own dead letter does not serialize: a bug
      return resumeWithDeadLetter(ctx, e);
    }

    /**
     * The dead-letter topic refused a dead letter (its max.message.bytes lowered below what was
     * read at start, say): later dead letters are cut smaller, and this one is replaced by one with
     * nothing of the original but its size and sha256 (at-least-once; under exactly-once the
     * refusal aborts the transaction and the record is read again, then fits). If even the minimal
     * one fails, the topic itself is broken: a system fault.
     */
    private Response smallerDeadLetter(
        ErrorHandlerContext ctx, ProducerRecord<byte[], byte[]> record, Exception e) {
      if (e instanceof RecordTooLargeException) {
        int size =
            (record.value() == null ? 0 : record.value().length)
                + (record.key() == null ? 0 : record.key().length)
                + DeadLetterFit.headerBytes(record.headers());
        target.fit().refused(size);
        if (exactlyOnce) {
          // the refused send has put the transaction in error: it aborts, the record is read again
          // and then fits
          LOG.warn(
              "the dead-letter topic {} refused a {}-byte dead letter; later ones are cut to {} bytes",
              target.topic(),
              size,
              target.fit().maxRecordBytes());
          return Response.fail();
        }
      }
      if (!(e instanceof RecordTooLargeException)
          || record.headers().lastHeader(MINIMAL_HEADER) != null) {
        LOG.error(
            "the dead-letter topic {} refuses dead letters: {}", target.topic(), e.toString());
        return Response.fail();
      }
      try {
        AuditFailure failure =
            DeadLetterFit.minimal(
                FailureRecords.of(
                    FailureReason.PRODUCTION_ERROR,
                    "the dead letter was refused ("
                        + e.getMessage()
                        + "); only the original's size and sha256 are kept",
                    ctx.topic(),
                    ctx.partition(),
                    ctx.offset(),
                    null,
                    ctx.sourceRawValue(),
                    null,
                    e));
        ProducerRecord<byte[], byte[]> minimal =
            new ProducerRecord<>(
                target.topic(), null, null, target.serializer().serialize(target.topic(), failure));
        minimal.headers().add(MINIMAL_HEADER, new byte[] {1});
        target.metrics().deadLettered(FailureReason.PRODUCTION_ERROR.name());
        return Response.resume(List.of(minimal));
      } catch (RuntimeException failed) {
        return Response.fail();
      }
    }

    private Response resumeWithDeadLetter(ErrorHandlerContext ctx, Exception e) {
      try {
        return Response.resume(deadLetter(target, ctx, FailureReason.PRODUCTION_ERROR, e));
      } catch (RuntimeException dlqFailed) {
        return Response.fail();
      }
    }
  }

  /** A record of an internal topic (the summary repartition) does not deserialize. */
  public static final class Deserialization implements DeserializationExceptionHandler {
    private Target target;

    @Override
    public void configure(Map<String, ?> configs) {
      target = target(configs);
    }

    @Override
    public Response handleError(
        ErrorHandlerContext ctx, ConsumerRecord<byte[], byte[]> record, Exception e) {
      if (isTransient(e)) return Response.fail();
      try {
        return Response.resume(deadLetter(target, ctx, FailureReason.UNDECODABLE_RECORD, e));
      } catch (RuntimeException dlqFailed) {
        return Response.fail();
      }
    }
  }
}
