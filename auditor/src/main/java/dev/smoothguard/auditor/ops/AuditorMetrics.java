package dev.smoothguard.auditor.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The auditor's Prometheus metrics (names fixed by the deployment contract): images, abstains,
 * noisy samples and latency per model, dead-letter records per reason, certified accuracy of the
 * latest closed summary window, input lag and stream state, plus Kafka Streams' own metrics.
 *
 * <p>Counters of work ({@code smoothguard_images_total}, {@code _abstained_total}, {@code
 * _noisy_samples_total}, {@code _dlq_records_total}) count committed work: under exactly-once their
 * increments wait, per stream thread, for the transaction to commit and are dropped when it aborts
 * (the work will be redone). {@code smoothguard_certifications_started_total} counts attempts, so
 * started minus images is the work redone; the latency histogram measures every attempt.
 * Transactions committed and aborted are counted, and system faults and pauses are shown per
 * component.
 */
public final class AuditorMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<Double>> accuracy = new ConcurrentHashMap<>();
  private final ThreadLocal<List<Runnable>> pending = ThreadLocal.withInitial(ArrayList::new);
  private volatile boolean transactional;
  private KafkaStreamsMetrics streamsMetrics;

  public AuditorMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Under exactly-once, counters of work wait for the transaction that holds the work ({@link
   * #onCommit}); otherwise they count at once.
   */
  public void transactional(boolean exactlyOnce) {
    this.transactional = exactlyOnce;
    Counter.builder("smoothguard.transactions.committed")
        .description("Transactions committed (exactly-once)")
        .register(registry);
    Counter.builder("smoothguard.transactions.aborted")
        .description("Transactions aborted: their work is redone")
        .register(registry);
    Counter.builder("smoothguard.certifications.aborted")
        .description("Certifications whose transaction aborted (redone later)")
        .register(registry);
  }

  /**
   * Runs the update when the current stream thread's work commits (at once without transactions).
   */
  public void onCommit(Runnable update) {
    if (transactional) {
      pending.get().add(update);
    } else {
      update.run();
    }
  }

  /** The calling thread's transaction committed: its pending work counts. */
  public void transactionCommitted() {
    List<Runnable> work = pending.get();
    work.forEach(Runnable::run);
    work.clear();
    registry.counter("smoothguard.transactions.committed").increment();
  }

  /** The calling thread's transaction aborted: its pending work does not count (it is redone). */
  public void transactionAborted() {
    discardPending();
    registry.counter("smoothguard.transactions.aborted").increment();
  }

  /** A producer closes: whatever it had not committed is lost (and redone elsewhere). */
  public void producerClosed() {
    discardPending();
  }

  private void discardPending() {
    List<Runnable> work = pending.get();
    long certifications = work.stream().filter(r -> r instanceof CertifiedWork).count();
    if (certifications > 0)
      registry.counter("smoothguard.certifications.aborted").increment(certifications);
    work.clear();
  }

  /** A certification begins (attempts: redone work counts again). */
  public void certificationStarted(String model) {
    counter("smoothguard.certifications.started", "model", model).increment();
  }

  /** One certified image of a model: latency now, the counts once the work commits. */
  public void certified(String model, boolean abstained, long samples, double latencyMs) {
    latency(model).record(Duration.ofNanos((long) (latencyMs * 1e6)));
    onCommit(
        new CertifiedWork(
            () -> {
              counter("smoothguard.images", "model", model).increment();
              if (abstained) counter("smoothguard.abstained", "model", model).increment();
              counter("smoothguard.noisy.samples", "model", model).increment(samples);
            }));
  }

  /** Marks pending work that is a certification (to count certifications lost to an abort). */
  private record CertifiedWork(Runnable update) implements Runnable {
    @Override
    public void run() {
      update.run();
    }
  }

  /**
   * Shows pauses and counts system faults per component (label values fixed, so series are stable).
   */
  public void bindHealth(SystemHealth health) {
    for (SystemHealth.Component c : SystemHealth.Component.values()) {
      String label = c.name().toLowerCase(Locale.ROOT);
      Gauge.builder(
              "smoothguard.paused",
              health,
              h -> h.pause().filter(p -> p.component() == c).isPresent() ? 1 : 0)
          .description(
              "1 while processing is paused on a fault of this component (see /ready for the reason)")
          .tag("component", label)
          .register(registry);
      counter("smoothguard.system.faults", "component", label);
    }
    Gauge.builder("smoothguard.config.warnings", health, h -> h.warnings().size())
        .description("Configuration problems the operator must fix (listed on /ready)")
        .register(registry);
  }

  /** One system fault (the stream pauses and retries). */
  public void systemFault(SystemHealth.Component component) {
    counter("smoothguard.system.faults", "component", component.name().toLowerCase(Locale.ROOT))
        .increment();
  }

  /** A certificate that arrived after its summary window had been emitted. */
  public void lateForSummary() {
    registry.counter("smoothguard.summary.late.records").increment();
  }

  private Timer latency(String model) {
    return timers.computeIfAbsent(
        model,
        m ->
            Timer.builder("smoothguard.certify.latency")
                .description("Wall time to certify one image (decode excluded)")
                .tag("model", m)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry));
  }

  /** The longest certification of a model seen recently (the timer's decaying max), in ms. */
  public double maxLatencyMs(String model) {
    return latency(model).max(TimeUnit.MILLISECONDS);
  }

  /** Registers the per-model meters at zero, so dashboards see them before the first image. */
  public void registerModel(String model) {
    counter("smoothguard.images", "model", model);
    counter("smoothguard.abstained", "model", model);
    counter("smoothguard.noisy.samples", "model", model);
    counter("smoothguard.certifications.started", "model", model);
    registry.counter("smoothguard.summary.late.records");
    latency(model);
  }

  /** Registers the dead-letter counter of a reason at zero. */
  public void registerReason(String reason) {
    counter("smoothguard.dlq.records", "reason", reason);
  }

  /** One record sent to the dead-letter topic (counted when its transaction commits). */
  public void deadLettered(String reason) {
    onCommit(() -> counter("smoothguard.dlq.records", "reason", reason).increment());
  }

  /** Certified accuracy at one radius from the latest closed summary window of a model. */
  public void certifiedAccuracy(String model, double radius, double value) {
    String key = model + "|" + radius;
    accuracy
        .computeIfAbsent(
            key,
            k -> {
              AtomicReference<Double> ref = new AtomicReference<>(Double.NaN);
              Gauge.builder("smoothguard.certified.accuracy", ref, AtomicReference::get)
                  .description("Certified accuracy at a radius, latest closed summary window")
                  .tags(Tags.of("model", model, "radius", Double.toString(radius)))
                  .register(registry);
              return ref;
            })
        .set(value);
  }

  /** Binds the stream's state, input lag and Kafka Streams' own metrics. */
  public void bindStreams(KafkaStreams streams, String inputTopic) {
    Gauge.builder(
            "smoothguard.stream.state",
            streams,
            s -> s.state() == KafkaStreams.State.RUNNING ? 1 : 0)
        .description("1 when the Kafka Streams application is RUNNING")
        .register(registry);
    DoubleSupplier lag = () -> maxLag(streams, inputTopic);
    // Micrometer holds gauge objects weakly: without a strong reference the lambda is
    // collected and the gauge reads NaN from then on.
    Gauge.builder("smoothguard.consumer.lag.records", lag, DoubleSupplier::getAsDouble)
        .strongReference(true)
        .description("Max records lag over the input topic's partitions")
        .register(registry);
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
  }

  private static double maxLag(KafkaStreams streams, String inputTopic) {
    double max = 0;
    try {
      for (var e : streams.metrics().entrySet()) {
        var name = e.getKey();
        if (name.name().equals("records-lag") && inputTopic.equals(name.tags().get("topic"))) {
          Object v = e.getValue().metricValue();
          if (v instanceof Number num && !Double.isNaN(num.doubleValue()))
            max = Math.max(max, num.doubleValue());
        }
      }
    } catch (RuntimeException e) {
      return Double.NaN; // metrics are read while threads come and go
    }
    return max;
  }

  private Counter counter(String name, String tag, String value) {
    return counters.computeIfAbsent(
        name + "|" + value, k -> Counter.builder(name).tag(tag, value).register(registry));
  }

  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    if (streamsMetrics != null) streamsMetrics.close();
    registry.close();
  }
}
