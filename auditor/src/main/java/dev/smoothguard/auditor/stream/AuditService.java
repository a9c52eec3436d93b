package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.config.ConfigException;
import dev.smoothguard.auditor.ops.AuditorMetrics;
import dev.smoothguard.auditor.ops.OpsServer;
import dev.smoothguard.auditor.ops.SystemHealth;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.serde.IncompatibleSchemaException;
import dev.smoothguard.schemas.serde.SerdeException;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.FailureReason;
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
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running auditor: one engine (one ONNX Runtime session shared by all stream threads), the
 * registry serdes, the Kafka Streams application and the operations port. Built from an {@link
 * AuditorConfig}; {@link #close()} stops it gracefully (the open transaction is committed or
 * aborted, never half-visible to read_committed consumers).
 */
public final class AuditService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditService.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

  private final AuditorConfig config;
  private final SmoothingEngine engine;
  private final boolean ownsEngine;
  private final ImageCertifier certifier;
  private final AuditorMetrics metrics;
  private final KafkaStreams streams;
  private final OpsServer ops;
  private final SystemHealth health;
  private final SystemFaultPolicy policy;
  private final TransactionBudget budget;
  private final ScheduledExecutorService watcher =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "auditor-budget-watch");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  private AuditService(
      AuditorConfig config,
      SmoothingEngine engine,
      boolean ownsEngine,
      ImageCertifier certifier,
      AuditorMetrics metrics,
      KafkaStreams streams,
      OpsServer ops,
      SystemHealth health,
      SystemFaultPolicy policy,
      TransactionBudget budget) {
    this.health = health;
    this.policy = policy;
    this.budget = budget;
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
    LOG.info(
        "opening {} on {} with {} intra-op threads shared by {} stream threads",
        config.modelPath(),
        config.device(),
        threads,
        config.streamThreads());
    return SmoothingEngine.open(
        config.modelPath(),
        new EngineOptions(config.device(), threads, OptionalInt.empty(), OptionalInt.empty()));
  }

  /** The smoothing settings: sigma from the config, else from the model card. */
  public static SmoothingSettings settings(AuditorConfig config, ModelInfo model) {
    double sigma;
    if (config.sigma().isPresent()) {
      sigma = config.sigma().getAsDouble();
    } else {
      sigma =
          model
              .card()
              .flatMap(ModelCard::fineTunedSigma)
              .orElseThrow(
                  () ->
                      new ConfigException(
                          List.of(
                              "sigma: required: model "
                                  + model.path()
                                  + " has no model card with a sigma (env SMOOTHGUARD_SIGMA)")));
    }
    return new SmoothingSettings(
        sigma,
        config.n0(),
        config.n(),
        config.alpha(),
        config.batch(),
        config.mode(),
        config.targetRadius(),
        config.seed());
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
  public static AuditService start(
      AuditorConfig config, SmoothingEngine engine, boolean ownsEngine) {
    return start(config, StreamSettings.from(config), engine, ownsEngine, UnaryOperator.identity());
  }

  /**
   * Starts the auditor on a given engine with explicit stream settings; {@code decorate} wraps the
   * certifier (identity in production; tests put a fault in front of the engine).
   */
  public static AuditService start(
      AuditorConfig config,
      StreamSettings streamSettings,
      SmoothingEngine engine,
      boolean ownsEngine,
      UnaryOperator<ImageCertifier> decorate) {
    config.describe().forEach(line -> LOG.info("config: {}", line));
    SmoothingSettings settings = settings(config, engine.model());
    ImageCertifier certifier =
        decorate.apply(new Certifier(engine, settings, config.shapePolicy(), config.maxPixels()));
    double certifyMs = measureCertification(engine, settings) * config.streamThreads();

    RegistryClient registry = registry(config);
    AuditSerdes serdes = AuditSerdes.of(registry);
    int failureSchemaId = registerSchemas(registry, config);
    TopicFacts facts = prepareTopics(config);

    AuditorMetrics metrics = new AuditorMetrics();
    SystemHealth health = new SystemHealth();
    metrics.registerModel(certifier.modelRef().getName());
    metrics.transactional(config.exactlyOnce());
    metrics.bindHealth(health);
    // every series exists from the start (dashboards and alerts see 0 / NaN, not "no data")
    for (double r : config.summaryRadii())
      metrics.certifiedAccuracy(certifier.modelRef().getName(), r, Double.NaN);
    for (var reason : FailureReason.values()) {
      if (reason != FailureReason.UNKNOWN) metrics.registerReason(reason.name());
    }
    DeadLetterFit fit = new DeadLetterFit(facts.deadLetterMaxBytes(config.kafka()));
    Topology topology =
        AuditTopology.build(
            config.topics(),
            config.summaryWindow(),
            config.summaryGrace(),
            config.summaryRadii(),
            new AuditTopology.Parts(
                certifier,
                serdes,
                metrics,
                health,
                streamSettings,
                fit,
                RegistryProbe.of(registry.config(), failureSchemaId)));
    LOG.debug("topology:\n{}", topology.describe());

    Map<String, Object> props = new HashMap<>(config.kafka());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.putIfAbsent("processing.exception.handler.global.enabled", "true");
    TransactionBudget budget =
        TransactionBudget.plan(
            certifyMs, facts.inputPartitions(), config.kafka(), facts.brokerTransactionMaxMs());
    if (config.exactlyOnce()) {
      if (!budget.userSet())
        props.put("producer.transaction.timeout.ms", Long.toString(budget.transactionTimeoutMs()));
      LOG.info(
          "exactly-once: one certification ({} ms) per task per transaction, up to {} tasks per thread: "
              + "transaction.timeout.ms={}{}",
          Math.round(certifyMs),
          facts.inputPartitions(),
          budget.transactionTimeoutMs(),
          budget.userSet() ? " (configured)" : " (sized to the work)");
      for (String problem : budget.problems()) {
        LOG.error("the transaction budget cannot hold: {}", problem);
        health.warn("transaction-budget", problem);
      }
    }
    DeadLetterHandlers.configure(
        props,
        new DeadLetterHandlers.Target(
            config.topics().dlq(), serdes.failures().serializer(), metrics, fit));
    KafkaStreams streams =
        new KafkaStreams(topology, new StreamsConfig(props), new TransactionAwareClients(metrics));
    AuditService[] self = new AuditService[1];
    SystemFaultPolicy policy = new SystemFaultPolicy(health, metrics, streamSettings);
    streams.setUncaughtExceptionHandler(policy);
    streams.setStateListener(
        (now, before) -> {
          LOG.info("stream state {} -> {}", before, now);
          if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
            if (self[0] != null) self[0].stopped.countDown();
          }
        });
    metrics.bindStreams(streams, config.topics().images());
    OpsServer ops;
    try {
      ops =
          new OpsServer(
              config.httpPort(),
              () ->
                  self[0] != null
                      && !self[0].closed.get()
                      && streams.state() != KafkaStreams.State.ERROR,
              () -> streams.state() == KafkaStreams.State.RUNNING && !health.paused(),
              () -> streams.state().name(),
              health::describe,
              metrics::scrape);
    } catch (IOException e) {
      streams.close();
      metrics.close();
      throw new UserError(
          "http.port " + config.httpPort() + ": cannot open it: " + e.getMessage(), e);
    }
    AuditService service =
        new AuditService(
            config, engine, ownsEngine, certifier, metrics, streams, ops, health, policy, budget);
    self[0] = service;
    streams.start();
    service.watchBudget(config.topics().images());
    LOG.info(
        "auditing {} -> {} / {} / {} with model {} ({}) on {}, {} (ops on :{})",
        config.topics().images(),
        config.topics().predictions(),
        config.topics().dlq(),
        config.topics().summary(),
        certifier.modelRef().getName(),
        certifier.modelRef().getVersion(),
        certifier.device(),
        config.kafka().get("processing.guarantee"),
        ops.port());
    return service;
  }

  /** One certification of a grey image in the model's shape (also warms the session up), in ms. */
  static double measureCertification(SmoothingEngine engine, SmoothingSettings settings) {
    ModelInfo m = engine.model();
    Image grey =
        new Image(
            m.channels(), m.height(), m.width(), new float[m.channels() * m.height() * m.width()]);
    long t0 = System.nanoTime();
    engine.run(grey, settings);
    return (System.nanoTime() - t0) / 1e6;
  }

  /**
   * Checks every few seconds, with the certification latency seen so far and the tasks each thread
   * owns now, that a transaction still fits its timeout; shows a warning on /ready while it does
   * not.
   */
  private void watchBudget(String inputTopic) {
    if (!config.exactlyOnce()) return;
    watcher.scheduleAtFixedRate(
        () -> {
          try {
            int tasks = 0;
            for (var thread : streams.metadataForLocalThreads()) {
              int n =
                  (int)
                      thread.activeTasks().stream()
                          .filter(
                              t ->
                                  t.topicPartitions().stream()
                                      .anyMatch(tp -> tp.topic().equals(inputTopic)))
                          .count();
              tasks = Math.max(tasks, n);
            }
            double worstMs = metrics.maxLatencyMs(certifier.modelRef().getName());
            var problem = budget.check(worstMs, tasks);
            if (problem.isPresent()) {
              if (!health.warnings().containsKey("transaction-runtime"))
                LOG.warn("{}", problem.get());
              health.warn("transaction-runtime", problem.get());
            } else {
              health.clearWarning("transaction-runtime");
            }
          } catch (RuntimeException e) {
            LOG.debug("transaction budget check skipped: {}", e.toString());
          }
        },
        5,
        5,
        TimeUnit.SECONDS);
  }

  /** Registers (or looks up) the output schemas; returns the AuditFailure schema's id. */
  private static int registerSchemas(RegistryClient registry, AuditorConfig config) {
    var t = config.topics();
    try {
      registerRacing(
          registry,
          t.predictions() + "-value",
          CertifiedPrediction.getClassSchema(),
          t.predictions());
      int failureId =
          registerRacing(registry, t.dlq() + "-value", AuditFailure.getClassSchema(), t.dlq());
      registerRacing(
          registry, t.summary() + "-value", RobustnessSummary.getClassSchema(), t.summary());
      return failureId;
    } catch (SerdeException e) {
      // unreachable, refusing our credentials or our schemas: the user's configuration to fix
      throw new UserError("schema registry " + config.registryUrl() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Registers a schema, allowing for instances that start together: the registry may answer 409 to
   * the second of two concurrent first registrations of a subject (Apicurio does: "artifact already
   * exists"). A real incompatibility answers 409 every time, so a few retries tell them apart.
   */
  private static int registerRacing(
      RegistryClient registry, String subject, Schema schema, String topic) {
    for (int attempt = 1; ; attempt++) {
      try {
        return registry.idFor(subject, schema, topic);
      } catch (IncompatibleSchemaException e) {
        if (attempt >= 4) throw e;
        LOG.info(
            "registering {} raced with another instance ({}); retrying", subject, e.getMessage());
        try {
          Thread.sleep(300L * attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * What the auditor learns from the cluster at start: the input's partitions (the most tasks a
   * thread may own), the broker's transaction.max.timeout.ms and the dead-letter topic's
   * max.message.bytes.
   */
  record TopicFacts(
      int inputPartitions, long brokerTransactionMaxMs, OptionalInt dlqMaxMessageBytes) {
    /**
     * The largest dead letter: the producer's max.request.size, or the topic's limit if smaller.
     */
    int deadLetterMaxBytes(Map<String, String> kafka) {
      String v = kafka.getOrDefault("producer.max.request.size", kafka.get("max.request.size"));
      int request = v == null ? DeadLetterFit.DEFAULT_MAX_REQUEST_SIZE : Integer.parseInt(v.trim());
      return dlqMaxMessageBytes.isPresent()
          ? Math.min(request, dlqMaxMessageBytes.getAsInt())
          : request;
    }
  }

  /** Checks the broker answers and the topics exist, creating missing ones when allowed. */
  private static TopicFacts prepareTopics(AuditorConfig config) {
    Map<String, Object> adminProps = new HashMap<>(config.kafka());
    adminProps.keySet().removeIf(k -> !AdminClientConfig.configNames().contains(k));
    adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    var t = config.topics();
    List<String> names = List.of(t.images(), t.predictions(), t.dlq(), t.summary());
    try (Admin admin = Admin.create(adminProps)) {
      Set<String> existing;
      try {
        existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new UserError(
            "cannot reach Kafka at "
                + config.kafka().get("bootstrap.servers")
                + ": "
                + e.getMessage(),
            e);
      }
      if (config.topicsCreate()) {
        List<String> created =
            MissingTopics.create(admin, names, config.topicPartitions(), config.topicReplication());
        if (!created.isEmpty()) LOG.info("created topics {}", created);
      } else {
        List<String> missing = names.stream().filter(n -> !existing.contains(n)).toList();
        if (!missing.isEmpty()) {
          throw new UserError("topics " + missing + " do not exist and topics.create=false");
        }
      }
      return facts(admin, config);
    }
  }

  private static TopicFacts facts(Admin admin, AuditorConfig config) {
    var t = config.topics();
    int partitions = config.topicPartitions();
    long brokerMax = TransactionBudget.BROKER_DEFAULT_MAX_MS;
    OptionalInt dlqMax = OptionalInt.empty();
    try {
      partitions =
          admin
              .describeTopics(List.of(t.images()))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS)
              .get(t.images())
              .partitions()
              .size();
      var node = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next();
      ConfigResource broker =
          new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(node.id()));
      ConfigResource dlq = new ConfigResource(ConfigResource.Type.TOPIC, t.dlq());
      var configs = admin.describeConfigs(List.of(broker, dlq)).all().get(30, TimeUnit.SECONDS);
      var txMax = configs.get(broker).get("transaction.max.timeout.ms");
      if (txMax != null && txMax.value() != null) brokerMax = Long.parseLong(txMax.value());
      var msgMax = configs.get(dlq).get("max.message.bytes");
      if (msgMax != null && msgMax.value() != null)
        dlqMax = OptionalInt.of(Integer.parseInt(msgMax.value()));
    } catch (Exception e) {
      // not allowed to describe (ACLs) or not answering: keep the defaults, say so
      LOG.warn(
          "cannot read the input's partitions or the broker/topic limits ({}); assuming {} partitions, "
              + "transaction.max.timeout.ms={}",
          e.toString(),
          partitions,
          brokerMax);
    }
    return new TopicFacts(partitions, brokerMax, dlqMax);
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

  public SystemHealth health() {
    return health;
  }

  public TransactionBudget transactionBudget() {
    return budget;
  }

  public ImageCertifier certifier() {
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
    policy.closing();
    watcher.shutdownNow();
    streams.close(Duration.ZERO);
    ops.close();
    metrics.close();
    if (ownsEngine) engine.close();
    stopped.countDown();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    LOG.info(
        "stopping the auditor (graceful: finishing the current records, committing, leaving the group)");
    policy.closing();
    watcher.shutdownNow();
    // leave the group at once: the partitions move to the other instances now, not after the
    // session timeout (Streams' consumers do not leave on close unless told to)
    streams.close(
        CloseOptions.timeout(CLOSE_TIMEOUT)
            .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    ops.close();
    metrics.close();
    if (ownsEngine) engine.close();
    stopped.countDown();
  }

  public AuditorConfig config() {
    return config;
  }
}
