package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.config.ConfigException;
import dev.smoothguard.auditor.ops.AuditorMetrics;
import dev.smoothguard.auditor.ops.OpsServer;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.serde.SerdeException;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.RobustnessSummary;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.engine.EngineOptions;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.smoothing.model.ModelCard;
import dev.smoothguard.smoothing.model.ModelInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running auditor: one engine (one ONNX Runtime session shared by all stream threads), the
 * registry serdes, the Kafka Streams application and the operations port. Built from an
 * {@link AuditorConfig}; {@link #close()} stops it gracefully (the open transaction is
 * committed or aborted, never half-visible to read_committed consumers).
 */
public final class AuditService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditService.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

  private final AuditorConfig config;
  private final SmoothingEngine engine;
  private final boolean ownsEngine;
  private final Certifier certifier;
  private final AuditorMetrics metrics;
  private final KafkaStreams streams;
  private final OpsServer ops;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  private AuditService(AuditorConfig config, SmoothingEngine engine, boolean ownsEngine,
      Certifier certifier, AuditorMetrics metrics, KafkaStreams streams, OpsServer ops) {
    this.config = config;
    this.engine = engine;
    this.ownsEngine = ownsEngine;
    this.certifier = certifier;
    this.metrics = metrics;
    this.streams = streams;
    this.ops = ops;
  }

  /** Opens the model named by the config (one session for all stream threads). */
  public static SmoothingEngine openEngine(AuditorConfig config) {
    int threads = config.effectiveOrtThreads(Runtime.getRuntime().availableProcessors());
    LOG.info("opening {} on {} with {} intra-op threads shared by {} stream threads",
        config.modelPath(), config.device(), threads, config.streamThreads());
    return SmoothingEngine.open(config.modelPath(),
        new EngineOptions(config.device(), threads, OptionalInt.empty(), OptionalInt.empty()));
  }

  /** The smoothing settings: sigma from the config, else from the model card. */
  public static SmoothingSettings settings(AuditorConfig config, ModelInfo model) {
    double sigma;
    if (config.sigma().isPresent()) {
      sigma = config.sigma().getAsDouble();
    } else {
      sigma = model.card().map(ModelCard::sigma).filter(s -> s > 0).orElseThrow(() ->
          new ConfigException(List.of("sigma: required: model " + model.path()
              + " has no model card with a sigma (env SMOOTHGUARD_SIGMA)")));
    }
    return new SmoothingSettings(sigma, config.n0(), config.n(), config.alpha(), config.batch(),
        config.mode(), config.targetRadius(), config.seed());
  }

  public static RegistryClient registry(AuditorConfig config) {
    return new RegistryClient(config.registry());
  }

  /** Starts the auditor with its own engine. */
  public static AuditService start(AuditorConfig config) {
    SmoothingEngine engine = openEngine(config);
    try {
      return start(config, engine, true);
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
  }

  /** Starts the auditor on a given engine (the caller keeps ownership when ownsEngine is false). */
  public static AuditService start(AuditorConfig config, SmoothingEngine engine, boolean ownsEngine) {
    config.describe().forEach(line -> LOG.info("config: {}", line));
    SmoothingSettings settings = settings(config, engine.model());
    Certifier certifier = new Certifier(engine, settings, config.shapePolicy(), config.maxPixels());
    checkPollBudget(config, engine, settings);

    RegistryClient registry = registry(config);
    AuditSerdes serdes = AuditSerdes.of(registry);
    registerSchemas(registry, config);
    prepareTopics(config);

    AuditorMetrics metrics = new AuditorMetrics();
    metrics.registerModel(certifier.modelRef().getName());
    // every series exists from the start (dashboards and alerts see 0 / NaN, not "no data")
    for (double r : config.summaryRadii()) metrics.certifiedAccuracy(certifier.modelRef().getName(), r, Double.NaN);
    for (var reason : dev.smoothguard.schemas.v1.FailureReason.values()) {
      if (reason != dev.smoothguard.schemas.v1.FailureReason.UNKNOWN) metrics.registerReason(reason.name());
    }
    Topology topology = AuditTopology.build(config.topics(), config.summaryWindow(),
        config.summaryGrace(), config.summaryRadii(), certifier, serdes, metrics);
    LOG.debug("topology:\n{}", topology.describe());

    Map<String, Object> props = new HashMap<>(config.kafka());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.putIfAbsent("processing.exception.handler.global.enabled", "true");
    DeadLetterHandlers.configure(props, new DeadLetterHandlers.Target(config.topics().dlq(),
        serdes.failures().serializer(), metrics));
    KafkaStreams streams = new KafkaStreams(topology, new StreamsConfig(props));
    AuditService[] self = new AuditService[1];
    streams.setUncaughtExceptionHandler(e -> {
      if (DeadLetterHandlers.isTransient(e)) {
        LOG.warn("stream thread failed on a transient error, replacing it: {}", e.toString());
        return StreamThreadExceptionResponse.REPLACE_THREAD;
      }
      LOG.error("stream thread failed on an unexpected error, shutting the client down", e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> {
      LOG.info("stream state {} -> {}", before, now);
      if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
        if (self[0] != null) self[0].stopped.countDown();
      }
    });
    metrics.bindStreams(streams, config.topics().images());
    OpsServer ops;
    try {
      ops = new OpsServer(config.httpPort(),
          () -> self[0] != null && !self[0].closed.get() && streams.state() != KafkaStreams.State.ERROR,
          () -> streams.state() == KafkaStreams.State.RUNNING,
          () -> streams.state().name(), metrics::scrape);
    } catch (IOException e) {
      streams.close();
      metrics.close();
      throw new UserError("http.port " + config.httpPort() + ": cannot open it: " + e.getMessage(), e);
    }
    AuditService service = new AuditService(config, engine, ownsEngine, certifier, metrics, streams, ops);
    self[0] = service;
    streams.start();
    LOG.info("auditing {} -> {} / {} / {} with model {} ({}) on {}, {} (ops on :{})",
        config.topics().images(), config.topics().predictions(), config.topics().dlq(),
        config.topics().summary(), certifier.modelRef().getName(), certifier.modelRef().getVersion(),
        certifier.device(), config.kafka().get("processing.guarantee"), ops.port());
    return service;
  }

  /**
   * The poll rule: a poll's records must be certified within max.poll.interval.ms, or the
   * consumer is thrown out of the group and the work is redone. Measures one certification and
   * warns when max.poll.records x that time x 2 (headroom) does not fit.
   */
  static void checkPollBudget(AuditorConfig config, SmoothingEngine engine, SmoothingSettings settings) {
    ModelInfo m = engine.model();
    Image grey = new Image(m.channels(), m.height(), m.width(), new float[m.channels() * m.height() * m.width()]);
    long t0 = System.nanoTime();
    engine.run(grey, settings);
    double perImageMs = (System.nanoTime() - t0) / 1e6;
    long records = Long.parseLong(config.kafka().get("max.poll.records"));
    long interval = Long.parseLong(config.kafka().get("max.poll.interval.ms"));
    // several stream threads share the cores, so each image may take threads x longer
    double worstMs = records * perImageMs * config.streamThreads() * 2;
    LOG.info("poll budget: one certification took {} ms (warm-up); max.poll.records={} -> {} ms "
        + "worst case with 2x headroom vs max.poll.interval.ms={}", Math.round(perImageMs), records,
        Math.round(worstMs), interval);
    if (worstMs > interval) {
      LOG.warn("max.poll.records x certify time does not fit max.poll.interval.ms: lower "
          + "kafka.max.poll.records to {} or raise kafka.max.poll.interval.ms to {}",
          Math.max(1, (long) (interval / (perImageMs * config.streamThreads() * 2))), (long) Math.ceil(worstMs));
    }
  }

  private static void registerSchemas(RegistryClient registry, AuditorConfig config) {
    var t = config.topics();
    try {
      registry.idFor(t.predictions() + "-value", CertifiedPrediction.getClassSchema(), t.predictions());
      registry.idFor(t.dlq() + "-value", AuditFailure.getClassSchema(), t.dlq());
      registry.idFor(t.summary() + "-value", RobustnessSummary.getClassSchema(), t.summary());
    } catch (SerdeException e) {
      // unreachable, refusing our credentials or our schemas: the user's configuration to fix
      throw new UserError("schema registry " + config.registryUrl() + ": " + e.getMessage(), e);
    }
  }

  /** Checks the broker answers and the topics exist, creating missing ones when allowed. */
  private static void prepareTopics(AuditorConfig config) {
    Map<String, Object> adminProps = new HashMap<>(config.kafka());
    adminProps.keySet().removeIf(k -> !AdminClientConfig.configNames().contains(k));
    adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    var t = config.topics();
    List<String> names = List.of(t.images(), t.predictions(), t.dlq(), t.summary());
    try (Admin admin = Admin.create(adminProps)) {
      java.util.Set<String> existing;
      try {
        existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new UserError("cannot reach Kafka at " + config.kafka().get("bootstrap.servers")
            + ": " + e.getMessage(), e);
      }
      if (config.topicsCreate()) {
        List<String> created = MissingTopics.create(admin, names, config.topicPartitions(),
            config.topicReplication());
        if (!created.isEmpty()) LOG.info("created topics {}", created);
      } else {
        List<String> missing = names.stream().filter(n -> !existing.contains(n)).toList();
        if (!missing.isEmpty()) {
          throw new UserError("topics " + missing + " do not exist and topics.create=false");
        }
      }
    }
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  public KafkaStreams streams() {
    return streams;
  }

  public AuditorMetrics metrics() {
    return metrics;
  }

  public Certifier certifier() {
    return certifier;
  }

  public int httpPort() {
    return ops.port();
  }

  /** Blocks until the stream reaches RUNNING (true) or the timeout passes (false). */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      KafkaStreams.State s = streams.state();
      if (s == KafkaStreams.State.RUNNING) return true;
      if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING) return false;
      Thread.sleep(50);
    }
    return false;
  }

  /** Blocks until the stream stops by itself (error) or is closed. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /** Stops without a graceful close: for the crash test (threads die, nothing is committed). */
  public void closeAbruptly() {
    if (!closed.compareAndSet(false, true)) return;
    streams.close(Duration.ZERO);
    ops.close();
    metrics.close();
    if (ownsEngine) engine.close();
    stopped.countDown();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    LOG.info("stopping the auditor (graceful: finishing the current records, committing)");
    streams.close(new KafkaStreams.CloseOptions().timeout(CLOSE_TIMEOUT));
    ops.close();
    metrics.close();
    if (ownsEngine) engine.close();
    stopped.countDown();
  }

  public AuditorConfig config() {
    return config;
  }
}
