package dev.smoothguard.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.replay.Replayer;
import dev.smoothguard.auditor.stream.AuditService;
import dev.smoothguard.devstack.EmbeddedStack;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.schemas.v1.ImageEncoding;
import dev.smoothguard.smoothing.data.Datasets;
import dev.smoothguard.smoothing.data.ImageDataset;
import dev.smoothguard.smoothing.onnx.BuiltinModels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real auditor, started the way the images start it (docker/auditor.properties plus the compose
 * stack's SMOOTHGUARD_* environment), on a real KRaft broker and a real schema registry, fed the
 * sample images, one undecodable record and enough time for a summary window to close. Then its
 * /metrics must export every metric (and label) the Grafana dashboard queries, and the images'
 * health probe must pass against its /health.
 *
 * <p>Only the connection settings, the model (an untrained built-in MNIST-sized CNN, the same 28x28
 * grey input as the sample images, so no trained weights are needed), a small n and a two-second
 * summary window differ from the stack.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RunningAuditorTest {
  private static final Duration SETTLE = Duration.ofMinutes(4);
  private static final String SAMPLES =
      "folder:" + Repo.root().resolve("data/fashion-mnist-sample");

  @TempDir static Path temp;
  private EmbeddedStack stack;
  private AuditService auditor;
  private PrometheusText metrics;

  @BeforeAll
  void startFeedAndScrape() throws Exception {
    Path model = BuiltinModels.write("mnist-cnn", temp.resolve("mnist-cnn.onnx"));
    stack = EmbeddedStack.start(0, 0, temp);

    Map<String, String> env = new LinkedHashMap<>(Stack.cpuImage().env());
    env.putAll(ComposeFile.environment(Stack.compose().service("auditor")));
    env.put("SMOOTHGUARD_KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
    env.put("SMOOTHGUARD_REGISTRY_URL", stack.registryUrl());
    env.put("SMOOTHGUARD_KAFKA_STATE_DIR", stack.newStateDir().toString());
    env.put("SMOOTHGUARD_HTTP_PORT", "0");
    env.put("SMOOTHGUARD_MODEL_PATH", model.toString());
    env.put("SMOOTHGUARD_SIGMA", "0.25");
    env.put("SMOOTHGUARD_N0", "20");
    env.put("SMOOTHGUARD_N", "200");
    env.put("SMOOTHGUARD_BATCH", "200");
    env.put("SMOOTHGUARD_SUMMARY_WINDOW", "PT2S");
    env.put("SMOOTHGUARD_SUMMARY_GRACE", "PT0S");
    AuditorConfig config = AuditorConfig.load(Repo.docker().resolve("auditor.properties"), env);
    auditor = AuditService.start(config);
    assertTrue(auditor.awaitRunning(SETTLE), "auditor RUNNING, state " + auditor.state());

    ImageDataset samples = Datasets.open(SAMPLES);
    RegistryClient registry = new RegistryClient(RegistryConfig.of(stack.registryUrl()));
    try (Replayer replay =
        new Replayer(stack.bootstrapServers(), registry, config.topics().images(), Map.of())) {
      replay.replay(samples, ImageEncoding.PNG, 0, false, 8, sent -> {});
      sendUndecodable(config.topics().images());
      // A summary window closes when stream time passes its end: keep images coming until
      // the certified-accuracy gauge of a closed window shows up (or give up after SETTLE).
      long deadline = System.nanoTime() + SETTLE.toNanos();
      metrics = scrape();
      while (!(metrics.has("smoothguard_certified_accuracy")
              && metrics.has("smoothguard_dlq_records_total"))
          && System.nanoTime() < deadline) {
        Thread.sleep(1_000);
        replay.replay(samples, ImageEncoding.PNG, 0, false, 1, sent -> {});
        metrics = scrape();
      }
    }
  }

  @AfterAll
  void stop() {
    if (auditor != null) {
      auditor.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void everyMetricTheDashboardQueriesIsExported() {
    Set<String> wanted = Dashboard.read(Stack.dashboard()).metricNames();
    Set<String> missing = new TreeSet<>(wanted);
    missing.removeAll(metrics.names());
    assertTrue(
        missing.isEmpty(),
        "dashboard queries metrics the auditor does not export: "
            + missing
            + "\nexported smoothguard metrics: "
            + metrics.names().stream().filter(n -> n.startsWith("smoothguard_")).toList());
  }

  @Test
  void everyLabelTheDashboardGroupsOrFiltersByExists() {
    // labels Prometheus adds to every scraped series, and the histogram's own
    Set<String> added = Set.of("instance", "job", "le");
    Pattern by = Pattern.compile("by \\(([^)]*)\\)");
    Pattern selector = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}");
    Pattern matcher = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    Pattern metric = Pattern.compile("\\b(smoothguard_[a-zA-Z0-9_:]+)");
    for (String expr : Dashboard.read(Stack.dashboard()).expressions()) {
      Set<String> labelsOfMetrics = new TreeSet<>();
      Matcher n = metric.matcher(expr);
      while (n.find()) {
        labelsOfMetrics.addAll(metrics.labels(n.group(1)));
      }
      Matcher s = selector.matcher(expr);
      while (s.find()) {
        Set<String> have = metrics.labels(s.group(1));
        Matcher m = matcher.matcher(s.group(2));
        while (m.find()) {
          assertTrue(
              have.contains(m.group(1)),
              s.group(1) + " has no label " + m.group(1) + " (" + expr + ")");
        }
      }
      Matcher b = by.matcher(expr);
      while (b.find()) {
        for (String label : b.group(1).split(",")) {
          String l = label.strip();
          assertTrue(
              added.contains(l) || labelsOfMetrics.contains(l),
              "grouping by missing label " + l + " in " + expr);
        }
      }
    }
  }

  @Test
  void theCertifiedAccuracyGaugeCarriesTheConfiguredRadii() {
    assertEquals(Set.of("model", "radius"), metrics.labels("smoothguard_certified_accuracy"));
  }

  @Test
  void theImagesHealthProbePassesAgainstTheRunningAuditor() throws Exception {
    HealthProbe probe = HealthProbe.compileInto(temp.resolve("probe"));
    assertEquals(
        0,
        probe.run(
            List.of(), Map.of("SMOOTHGUARD_HTTP_PORT", Integer.toString(auditor.httpPort()))));
    assertEquals(200, get("/ready").statusCode(), "ready while RUNNING");
  }

  private void sendUndecodable(String topic) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, "not-an-image-event", new byte[] {1, 2, 3, 4, 5}));
      producer.flush();
    }
  }

  private PrometheusText scrape() throws IOException, InterruptedException {
    HttpResponse<String> r = get("/metrics");
    assertEquals(200, r.statusCode(), "/metrics");
    return PrometheusText.parse(r.body());
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + auditor.httpPort() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
