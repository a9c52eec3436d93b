package dev.smoothguard.auditor.summary;

import dev.smoothguard.auditor.ops.AuditorMetrics;
import dev.smoothguard.schemas.v1.ModelRef;
import dev.smoothguard.schemas.v1.RadiusAccuracy;
import dev.smoothguard.schemas.v1.RobustnessSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Tumbling event-time windows per summary key, emitted once closed. A window closes when the task's
 * stream time passes its end plus the grace period (as Kafka Streams' windows do) or, so that the
 * last window of a burst reaches the dashboards, when it has received no record for {@code
 * summary.idle.close} of wall-clock time (a wall-clock punctuator looks every {@code idleCheck}). A
 * record for a window that was already emitted is late: it is counted (metric, and {@code
 * lateCount} of the key's next summary), not silently dropped.
 *
 * <p>Input: one-image {@link WindowStats} keyed by {@link SummaryKey}, timestamped with the image's
 * event time. State: one {@link SummaryState} per key (bounded).
 */
public final class SummaryProcessor
    implements Processor<String, WindowStats, String, RobustnessSummary> {
  public static final String STORE = "summary-windows";
  public static final String STREAM_TIME = "STREAM_TIME";
  public static final String IDLE = "IDLE";
  private final long sizeMs;
  private final long graceMs;
  private final long idleMs;
  private final Duration idleCheck;
  private final List<Double> radii;
  private final AuditorMetrics metrics;
  private ProcessorContext<String, RobustnessSummary> context;
  private KeyValueStore<String, SummaryState> store;
  private long streamTime = Long.MIN_VALUE;

  public SummaryProcessor(
      Duration window,
      Duration grace,
      Duration idleClose,
      Duration idleCheck,
      List<Double> radii,
      AuditorMetrics metrics) {
    this.sizeMs = window.toMillis();
    this.graceMs = grace.toMillis();
    this.idleMs = idleClose.toMillis();
    this.idleCheck = idleCheck;
    this.radii = radii;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, RobustnessSummary> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    context.schedule(idleCheck, PunctuationType.WALL_CLOCK_TIME, this::closeDue);
  }

  @Override
  public void process(Record<String, WindowStats> record) {
    long ts = record.timestamp();
    streamTime = Math.max(streamTime, ts);
    long start = ts - Math.floorMod(ts, sizeMs);
    SummaryState state = store.get(record.key());
    if (state == null) state = SummaryState.empty();
    TreeMap<Long, SummaryState.OpenWindow> open = new TreeMap<>(state.open());
    if (start < state.closedThrough() || start + sizeMs + graceMs <= streamTime) {
      metrics.lateForSummary();
      store.put(record.key(), new SummaryState(state.closedThrough(), state.late() + 1, open));
      return;
    }
    long now = context.currentSystemTimeMs();
    SummaryState.OpenWindow w = open.get(start);
    WindowStats merged = w == null ? record.value() : w.stats().merge(record.value());
    open.put(start, new SummaryState.OpenWindow(merged, now));
    state = new SummaryState(state.closedThrough(), state.late(), open);
    store.put(record.key(), close(record.key(), state, now));
  }

  /** The wall-clock punctuation: closes what stream time or idleness made due, for every key. */
  private void closeDue(long now) {
    List<KeyValue<String, SummaryState>> all = new ArrayList<>();
    try (KeyValueIterator<String, SummaryState> it = store.all()) {
      while (it.hasNext()) all.add(it.next());
    }
    for (KeyValue<String, SummaryState> kv : all) {
      SummaryState after = close(kv.key, kv.value, now);
      if (after != kv.value) store.put(kv.key, after);
    }
  }

  /**
   * Emits, oldest first, the windows that are due: past end + grace in stream time, idle for
   * summary.idle.close, or beyond the bound on open windows. Closing a window closes every earlier
   * one too, so the emitted-through mark only moves forward.
   */
  private SummaryState close(String key, SummaryState state, long now) {
    Long lastDue = null;
    int excess = state.open().size() - SummaryState.MAX_OPEN;
    String closedBy = STREAM_TIME;
    int i = 0;
    for (Map.Entry<Long, SummaryState.OpenWindow> e : state.open().entrySet()) {
      long end = e.getKey() + sizeMs;
      boolean byTime = streamTime != Long.MIN_VALUE && end + graceMs <= streamTime;
      boolean byIdle = now - e.getValue().lastUpdateMs() >= idleMs;
      if (byTime || byIdle || i < excess) {
        lastDue = e.getKey();
        closedBy = byTime ? STREAM_TIME : IDLE;
      }
      i++;
    }
    if (lastDue == null) return state;
    TreeMap<Long, SummaryState.OpenWindow> open = new TreeMap<>(state.open());
    long late = state.late();
    long closedThrough = state.closedThrough();
    for (Map.Entry<Long, SummaryState.OpenWindow> e :
        state.open().headMap(lastDue, true).entrySet()) {
      RobustnessSummary s = summary(key, e.getKey(), e.getValue().stats(), late, closedBy);
      late = 0; // reported once, with the first summary after them
      context.forward(new Record<>(key, s, e.getKey() + sizeMs - 1));
      s.getCertifiedAccuracy()
          .forEach(
              ra -> {
                if (ra.getAccuracy() != null)
                  metrics.certifiedAccuracy(
                      s.getModel().getName(), ra.getRadius(), ra.getAccuracy());
              });
      open.remove(e.getKey());
      closedThrough = Math.max(closedThrough, e.getKey() + sizeMs);
    }
    return new SummaryState(closedThrough, late, open);
  }

  RobustnessSummary summary(String key, long start, WindowStats s, long late, String closedBy) {
    SummaryKey k = SummaryKey.parse(key);
    List<RadiusAccuracy> acc = new ArrayList<>();
    for (double r : radii) {
      double a = s.accuracyAt(r);
      acc.add(
          RadiusAccuracy.newBuilder()
              .setRadius(r)
              .setCertifiedCount(s.certifiedCount(r))
              .setCorrectCount(s.correctAt(r))
              .setAccuracy(Double.isNaN(a) ? null : a)
              .build());
    }
    return RobustnessSummary.newBuilder()
        .setWindowStart(Instant.ofEpochMilli(start))
        .setWindowEnd(Instant.ofEpochMilli(start + sizeMs))
        .setModel(
            ModelRef.newBuilder()
                .setName(s.modelName())
                .setVersion(s.modelVersion())
                .setSha256(s.modelSha256())
                .build())
        .setCount(s.count())
        .setAbstainCount(s.abstained())
        .setLabelledCount(s.labelled())
        .setCorrectCount(s.correct())
        .setCertifiedAccuracy(acc)
        .setRadiusP10(s.radiusQuantile(0.10))
        .setRadiusP50(s.radiusQuantile(0.50))
        .setRadiusP90(s.radiusQuantile(0.90))
        .setMeanSamples(s.meanSamples())
        .setSigma(k.sigma())
        .setN(k.n())
        .setAlpha(k.alpha())
        .setMode(k.mode())
        .setLateCount(late)
        .setRadiusResolution(s.resolution())
        .setClosedBy(closedBy)
        .build();
  }
}
