package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.config.AuditorConfigDef;
import java.time.Duration;

/**
 * The stream's fault-model and summary settings: one immutable value, built from the service
 * configuration ({@link #from}; keys declared in {@link AuditorConfigDef}) or {@link #DEFAULTS}
 * (the same defaults, for tests and embedders).
 *
 * @param maxFutureSkew {@code event.time.max.future.skew}: an eventTime further than this ahead of
 *     the auditor's clock is INVALID_EVENT_TIME (a negative one always is)
 * @param faultBackoffMin {@code system.fault.backoff.min}: first wait after a system fault
 * @param faultBackoffMax {@code system.fault.backoff.max}: the wait doubles up to this
 * @param engineErrorStreak {@code engine.error.streak}: the same engine error on this many
 *     consecutive images is a fault of the system (the stream pauses), not of the images
 * @param summaryIdleClose {@code summary.idle.close}: a summary window that has received no record
 *     for this long (wall clock) is closed and emitted, so the last window of a burst reaches the
 *     dashboards without waiting for new traffic
 * @param summaryIdleCheck how often the wall-clock punctuator looks for idle windows
 */
public record StreamSettings(
    Duration maxFutureSkew,
    Duration faultBackoffMin,
    Duration faultBackoffMax,
    int engineErrorStreak,
    Duration summaryIdleClose,
    Duration summaryIdleCheck) {

  public static final StreamSettings DEFAULTS =
      new StreamSettings(
          Duration.ofHours(1),
          Duration.ofSeconds(1),
          Duration.ofMinutes(1),
          3,
          Duration.ofMinutes(2),
          Duration.ofSeconds(5));

  public StreamSettings {
    if (maxFutureSkew.isNegative())
      throw new IllegalArgumentException("event.time.max.future.skew must be >= 0");
    if (faultBackoffMin.isNegative() || faultBackoffMin.isZero()) {
      throw new IllegalArgumentException("system.fault.backoff.min must be > 0");
    }
    if (faultBackoffMax.compareTo(faultBackoffMin) < 0) {
      throw new IllegalArgumentException(
          "system.fault.backoff.max must be >= system.fault.backoff.min");
    }
    if (engineErrorStreak < 1)
      throw new IllegalArgumentException("engine.error.streak must be >= 1");
    if (summaryIdleClose.isNegative() || summaryIdleClose.isZero()) {
      throw new IllegalArgumentException("summary.idle.close must be > 0");
    }
    if (summaryIdleCheck.isNegative() || summaryIdleCheck.isZero()) {
      throw new IllegalArgumentException("summary idle check interval must be > 0");
    }
  }

  /**
   * The settings of a configuration (the summary idle check runs every 5 s, or idle/4 when
   * shorter).
   */
  public static StreamSettings from(AuditorConfig config) {
    Duration idle = config.getDuration(AuditorConfigDef.SUMMARY_IDLE_CLOSE);
    Duration check =
        idle.dividedBy(4).compareTo(DEFAULTS.summaryIdleCheck()) < 0
            ? idle.dividedBy(4).plusMillis(1)
            : DEFAULTS.summaryIdleCheck();
    return new StreamSettings(
        config.getDuration(AuditorConfigDef.EVENT_TIME_MAX_FUTURE_SKEW),
        config.getDuration(AuditorConfigDef.SYSTEM_FAULT_BACKOFF_MIN),
        config.getDuration(AuditorConfigDef.SYSTEM_FAULT_BACKOFF_MAX),
        config.getInt(AuditorConfigDef.ENGINE_ERROR_STREAK),
        idle,
        check);
  }

  public StreamSettings withEngineErrorStreak(int k) {
    return new StreamSettings(
        maxFutureSkew, faultBackoffMin, faultBackoffMax, k, summaryIdleClose, summaryIdleCheck);
  }

  public StreamSettings withFaultBackoff(Duration min, Duration max) {
    return new StreamSettings(
        maxFutureSkew, min, max, engineErrorStreak, summaryIdleClose, summaryIdleCheck);
  }

  public StreamSettings withSummaryIdleClose(Duration idle, Duration check) {
    return new StreamSettings(
        maxFutureSkew, faultBackoffMin, faultBackoffMax, engineErrorStreak, idle, check);
  }

  /** The wait before retry number {@code attempt} (1-based): min x 2^(attempt-1), capped at max. */
  public Duration backoff(int attempt) {
    Duration d = faultBackoffMin;
    for (int i = 1; i < attempt && d.compareTo(faultBackoffMax) < 0; i++) d = d.multipliedBy(2);
    return d.compareTo(faultBackoffMax) > 0 ? faultBackoffMax : d;
  }
}
