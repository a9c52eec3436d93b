package dev.smoothguard.auditor.replay;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Counts the broker's answers to a producer's sends: every send gets {@link #callback()}, and after
 * {@code flush()} {@link #check(String)} throws when any send failed, with the count and the first
 * reason. A send the producer refuses at once (e.g. metadata timeout) is recorded with {@link
 * #failedNow(Exception)}.
 */
public final class Deliveries {
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Exception> first = new AtomicReference<>();

  public Callback callback() {
    return this::onCompletion;
  }

  private void onCompletion(RecordMetadata metadata, Exception e) {
    if (e == null) {
      acknowledged.incrementAndGet();
    } else {
      failedNow(e);
    }
  }

  public void failedNow(Exception e) {
    failed.incrementAndGet();
    first.compareAndSet(null, e);
  }

  public long acknowledged() {
    return acknowledged.get();
  }

  public long failed() {
    return failed.get();
  }

  /**
   * Throws when any send failed. Call after {@code flush()}, so that every send has its answer.
   *
   * @param what what was sent, for the message (e.g. "images to topic 'images'")
   */
  public void check(String what) {
    long bad = failed.get();
    if (bad > 0) {
      throw new DeliveryFailedException(what, bad, bad + acknowledged.get(), first.get());
    }
  }
}
