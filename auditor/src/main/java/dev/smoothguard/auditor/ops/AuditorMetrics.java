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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The auditor's Prometheus metrics (names fixed by the deployment contract): images, abstains,
 * noisy samples and latency per model, dead-letter records per reason, certified accuracy of
 * the latest closed summary window, input lag and stream state, plus Kafka Streams' own metrics.
 */
public final class AuditorMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<Double>> accuracy = new ConcurrentHashMap<>();
  private KafkaStreamsMetrics streamsMetrics;

  public AuditorMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** One certified image of a model. */
  public void certified(String model, boolean abstained, long samples, double latencyMs) {
    counter("smoothguard.images", "model", model).increment();
    if (abstained) counter("smoothguard.abstained", "model", model).increment();
    counter("smoothguard.noisy.samples", "model", model).increment(samples);
    latency(model).record(Duration.ofNanos((long) (latencyMs * 1e6)));
  }

  private Timer latency(String model) {
    return timers.computeIfAbsent(model, m -> Timer.builder("smoothguard.certify.latency")
        .description("Wall time to certify one image (decode excluded)")
        .tag("model", m)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry));
  }

  /** Registers the per-model meters at zero, so dashboards see them before the first image. */
  public void registerModel(String model) {
    counter("smoothguard.images", "model", model);
    counter("smoothguard.abstained", "model", model);
    counter("smoothguard.noisy.samples", "model", model);
    latency(model);
  }

  /** Registers the dead-letter counter of a reason at zero. */
  public void registerReason(String reason) {
    counter("smoothguard.dlq.records", "reason", reason);
  }

  /** One record sent to the dead-letter topic. */
  public void deadLettered(String reason) {
    counter("smoothguard.dlq.records", "reason", reason).increment();
  }

  /** Certified accuracy at one radius from the latest closed summary window of a model. */
  public void certifiedAccuracy(String model, double radius, double value) {
    String key = model + "|" + radius;
    accuracy.computeIfAbsent(key, k -> {
      AtomicReference<Double> ref = new AtomicReference<>(Double.NaN);
      Gauge.builder("smoothguard.certified.accuracy", ref, AtomicReference::get)
          .description("Certified accuracy at a radius, latest closed summary window")
          .tags(Tags.of("model", model, "radius", Double.toString(radius)))
          .register(registry);
      return ref;
    }).set(value);
  }

  /** Binds the stream's state, input lag and Kafka Streams' own metrics. */
  public void bindStreams(KafkaStreams streams, String inputTopic) {
    Gauge.builder("smoothguard.stream.state", streams, s -> s.state() == KafkaStreams.State.RUNNING ? 1 : 0)
        .description("1 when the Kafka Streams application is RUNNING").register(registry);
    DoubleSupplier lag = () -> maxLag(streams, inputTopic);
    // Micrometer holds gauge objects weakly: without a strong reference the lambda is
    // collected and the gauge reads NaN from then on.
    Gauge.builder("smoothguard.consumer.lag.records", lag, DoubleSupplier::getAsDouble)
        .strongReference(true)
        .description("Max records lag over the input topic's partitions").register(registry);
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
          if (v instanceof Number num && !Double.isNaN(num.doubleValue())) max = Math.max(max, num.doubleValue());
        }
      }
    } catch (RuntimeException e) {
      return Double.NaN; // metrics are read while threads come and go
    }
    return max;
  }

  private Counter counter(String name, String tag, String value) {
    return counters.computeIfAbsent(name + "|" + value,
        k -> Counter.builder(name).tag(tag, value).register(registry));
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
