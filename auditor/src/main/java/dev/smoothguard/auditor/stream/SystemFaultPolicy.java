package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.ops.AuditorMetrics;
import dev.smoothguard.auditor.ops.SystemHealth;
import dev.smoothguard.auditor.ops.SystemHealth.Component;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a dying stream thread does: pause, then come back. The design, and why:
 *
 * <ul>
 *   <li>A system fault is thrown out of the processor; the processing handler answers FAIL, so the
 *       record is neither dead-lettered nor skipped, and the thread dies with its transaction open.
 *       Under exactly-once that transaction is aborted and nothing of the failed loop is committed:
 *       the input offsets stay where the last commit left them.
 *   <li>This handler then waits (backoff doubling from {@code system.fault.backoff.min} to {@code
 *       .max}) on the dying thread, and answers REPLACE_THREAD: the new thread takes the tasks back
 *       and reads the records again from the last commit. Waiting here instead of sleeping inside
 *       the processor keeps the pause out of any open transaction and out of the poll loop, so
 *       neither the transaction timeout nor max.poll.interval.ms limits how long a fault may last.
 *   <li>While paused, {@code /ready} answers 503 with the reason and {@code smoothguard_paused} is
 *       1 for the component; the first record that goes through again clears the pause.
 *   <li>Any other exception that escapes (a bug, Kafka refusing the auditor) gets the same
 *       treatment: no single record or outage shuts the client down. Only a JVM {@link Error} (out
 *       of memory) does.
 * </ul>
 */
final class SystemFaultPolicy implements StreamsUncaughtExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(SystemFaultPolicy.class);
  private final SystemHealth health;
  private final AuditorMetrics metrics;
  private final StreamSettings settings;
  private final CountDownLatch closing = new CountDownLatch(1);

  SystemFaultPolicy(SystemHealth health, AuditorMetrics metrics, StreamSettings settings) {
    this.health = health;
    this.metrics = metrics;
    this.settings = settings;
  }

  /** Ends any backoff at once (the service is closing). */
  void closing() {
    closing.countDown();
  }

  @Override
  public StreamThreadExceptionResponse handle(Throwable e) {
    if (rootIsError(e)) {
      LOG.error("stream thread died of a JVM error, shutting the client down", e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    Component component = Faults.systemComponent(e).orElse(Component.UNKNOWN);
    String reason = reasonOf(e);
    int attempt = health.fault(component, reason);
    metrics.systemFault(component);
    Duration wait = settings.backoff(attempt);
    if (component == Component.UNKNOWN) {
      LOG.error(
          "stream thread failed on an unexpected error; nothing committed, retrying in {} s",
          wait.toSeconds(),
          e);
    } else {
      LOG.warn(
          "paused on a fault of the {} (retry {} in {} ms, nothing committed): {}",
          component.name().toLowerCase(Locale.ROOT),
          attempt,
          wait.toMillis(),
          reason);
    }
    try {
      closing.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  private static boolean rootIsError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof Error) return true;
    }
    return false;
  }

  /** The message of the system fault in the chain (else the deepest message). */
  static String reasonOf(Throwable e) {
    Throwable deepest = e;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SystemFaultException) return Faults.describe(t);
      deepest = t;
    }
    return deepest.getClass().getSimpleName() + ": " + Faults.describe(deepest);
  }
}
