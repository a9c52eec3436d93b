package dev.smoothguard.auditor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.smoothing.engine.Mode;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditorConfigTest {
  private static final Map<String, String> MINIMAL =
      Map.of("kafka.bootstrap.servers", "localhost:9092", "registry.url", "http://localhost:8081");

  @Test
  void defaultsMatchTheContract() {
    AuditorConfig c = AuditorConfig.from(MINIMAL, Map.of());
    assertEquals("smoothguard-auditor", c.applicationId());
    assertEquals(Path.of("models/fashion-mnist-dmae-s025.onnx"), c.modelPath());
    assertEquals("auto", c.device());
    assertEquals(Mode.CERTIFY, c.mode());
    assertEquals(100, c.n0());
    assertEquals(10000, c.n());
    assertEquals(0.001, c.alpha());
    assertEquals(1000, c.batch());
    assertEquals(ShapePolicy.REJECT, c.shapePolicy());
    assertEquals(4194304L, c.maxPixels());
    assertEquals(Topics.defaults(), c.topics());
    assertTrue(c.topicsCreate());
    assertEquals(Duration.ofMinutes(1), c.summaryWindow());
    assertEquals(8080, c.httpPort());
    assertTrue(c.exactlyOnce());
    assertTrue(c.sigma().isEmpty());
    assertEquals("exactly_once_v2", c.kafka().get("processing.guarantee"));
    assertEquals("localhost:9092", c.kafka().get("bootstrap.servers"));
  }

  @Test
  void environmentOverridesFileAndPassesKafkaSettingsThrough() {
    Map<String, String> env =
        Map.of(
            "SMOOTHGUARD_MODEL_PATH", "/m/x.onnx",
            "SMOOTHGUARD_KAFKA_BOOTSTRAP_SERVERS", "broker:9093",
            "SMOOTHGUARD_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
            "SMOOTHGUARD_KAFKA_PROCESSING_GUARANTEE", "at_least_once",
            "SMOOTHGUARD_JAVA_OPTS", "-Xmx1g", // the launcher's, not a key
            "PATH", "/bin");
    AuditorConfig c =
        AuditorConfig.from(
            Map.of(
                "model.path",
                "a.onnx",
                "kafka.bootstrap.servers",
                "file:9092",
                "registry.url",
                "http://r:8081/",
                "kafka.sasl.mechanism",
                "PLAIN"),
            env);
    assertEquals(Path.of("/m/x.onnx"), c.modelPath());
    assertEquals("broker:9093", c.kafka().get("bootstrap.servers"));
    assertEquals("SASL_SSL", c.kafka().get("security.protocol"));
    assertEquals("PLAIN", c.kafka().get("sasl.mechanism"));
    assertFalse(c.exactlyOnce());
    assertEquals("http://r:8081", c.registryUrl());
  }

  @Test
  void everyBadValueIsReportedOnItsOwnLine() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                AuditorConfig.from(
                    Map.of(
                        "n",
                        "ten",
                        "alpha",
                        "1.5",
                        "mode",
                        "GUESS",
                        "shape.policy",
                        "stretch",
                        "summary.window",
                        "1 minute",
                        "topic.images",
                        "bad topic!",
                        "device",
                        "tpu",
                        "http.port",
                        "70000",
                        "modle.path",
                        "typo.onnx",
                        "registry.retries",
                        "-1"),
                    Map.of()));
    List<String> p = e.problems();
    assertProblem(p, "n", "ten");
    assertProblem(p, "alpha", "1.5");
    assertProblem(p, "mode", "GUESS");
    assertProblem(p, "shape.policy", "stretch");
    assertProblem(p, "summary.window", "1 minute");
    assertProblem(p, "topic.images", "bad topic!");
    assertProblem(p, "device", "tpu");
    assertProblem(p, "http.port", "70000");
    assertProblem(p, "registry.retries", "-1");
    assertTrue(p.stream().anyMatch(s -> s.startsWith("unknown key 'modle.path'")), p::toString);
    assertTrue(
        p.contains("kafka.bootstrap.servers: required (env SMOOTHGUARD_KAFKA_BOOTSTRAP_SERVERS)"),
        p::toString);
    assertTrue(p.contains("registry.url: required (env SMOOTHGUARD_REGISTRY_URL)"), p::toString);
    assertEquals(12, p.size(), p::toString);
  }

  /** One line naming the key and the value, ending with the environment variable. */
  private static void assertProblem(List<String> problems, String key, String value) {
    String expected = "Invalid value " + value + " for configuration " + key + ":";
    assertTrue(
        problems.stream()
            .anyMatch(
                s ->
                    s.startsWith(expected)
                        && s.endsWith("(env " + AuditorConfig.envVariableOf(key) + ")")),
        expected + " in " + problems);
  }

  @Test
  void targetModeNeedsARadius() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                AuditorConfig.from(
                    Map.of(
                        "mode",
                        "target",
                        "kafka.bootstrap.servers",
                        "b:9092",
                        "registry.url",
                        "http://r:8081"),
                    Map.of()));
    assertTrue(e.getMessage().contains("TARGET mode needs a target radius"), e.getMessage());
    assertEquals(
        0.5,
        AuditorConfig.from(
                Map.of(
                    "mode",
                    "target",
                    "target.radius",
                    "0.5",
                    "kafka.bootstrap.servers",
                    "b:9092",
                    "registry.url",
                    "http://r:8081"),
                Map.of())
            .targetRadius()
            .getAsDouble());
  }

  @Test
  void n0DefaultsToTheEnginesDefaultForTheModeUnlessSet() {
    assertEquals(SmoothingSettings.DEFAULT_N0, withSampling().n0());
    assertEquals(100, withSampling("mode", "PREDICT").n0());
    AuditorConfig target = withSampling("mode", "TARGET", "target.radius", "0.5");
    assertEquals(SmoothingSettings.DEFAULT_TARGET_N0, target.n0());
    assertEquals(32, target.sampling(0.25).n0(), "the engine gets the same n0");
    assertTrue(target.describe().contains("n0=32"), "the log shows the n0 used");
    // blank is unset, as for the other optional keys
    assertEquals(32, withSampling("mode", "target", "target.radius", "0.5", "n0", " ").n0());
    // a value the user set wins in every mode
    assertEquals(50, withSampling("mode", "TARGET", "target.radius", "0.5", "n0", "50").n0());
    assertEquals(
        100, withSampling("mode", "TARGET", "target.radius", "0.5", "n0", "100").sampling(1).n0());
    assertEquals(7, withSampling("n0", "7").sampling(0.25).n0());
    ConfigException e = assertThrows(ConfigException.class, () -> withSampling("n0", "0"));
    assertProblem(e.problems(), "n0", "0");
  }

  /** MINIMAL plus the given key/value pairs. */
  private static AuditorConfig withSampling(String... keyValues) {
    Map<String, String> settings = new HashMap<>(MINIMAL);
    for (int i = 0; i < keyValues.length; i += 2) {
      settings.put(keyValues[i], keyValues[i + 1]);
    }
    return AuditorConfig.from(settings, Map.of());
  }

  @Test
  void ortThreadsSplitTheCoresAcrossStreamThreads() {
    AuditorConfig c =
        AuditorConfig.from(MINIMAL, Map.of("SMOOTHGUARD_KAFKA_NUM_STREAM_THREADS", "4"));
    assertEquals(4, c.effectiveOrtThreads(16));
    assertEquals(1, c.effectiveOrtThreads(2));
    AuditorConfig fixed = AuditorConfig.from(MINIMAL, Map.of("SMOOTHGUARD_ORT_THREADS", "3"));
    assertEquals(3, fixed.effectiveOrtThreads(16));
  }

  @Test
  void loadsAPropertiesFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("auditor.properties");
    Files.writeString(
        file,
        """
        # comment
        kafka.bootstrap.servers = localhost:1234
        registry.url = http://localhost:8081
        sigma = 0.5
        summary.radii = 1.0, 0, 0.5
        """);
    AuditorConfig c = AuditorConfig.load(file, Map.of());
    assertEquals(0.5, c.sigma().getAsDouble());
    assertEquals(List.of(0.0, 0.5, 1.0), c.summaryRadii());
    ConfigException missing =
        assertThrows(
            ConfigException.class,
            () -> AuditorConfig.load(dir.resolve("nope.properties"), Map.of()));
    assertTrue(missing.getMessage().contains("no such file"));
  }

  @Test
  void envVariableNamesFollowTheContract() {
    assertEquals("SMOOTHGUARD_MODEL_PATH", AuditorConfig.envVariableOf("model.path"));
    assertEquals(
        "kafka.bootstrap.servers",
        AuditorConfig.keyOfEnv("SMOOTHGUARD_KAFKA_BOOTSTRAP_SERVERS").orElseThrow());
    assertTrue(AuditorConfig.keyOfEnv("SMOOTHGUARD_HOME").isEmpty());
    assertEquals(
        "registry.ssl.truststore.location",
        AuditorConfig.keyOfEnv("SMOOTHGUARD_REGISTRY_SSL_TRUSTSTORE_LOCATION").orElseThrow());
    for (String key : AuditorConfigDef.definition().names()) {
      assertTrue(key.matches("[a-z0-9]+(\\.[a-z0-9]+)*"), key);
    }
  }

  @Test
  void everyRegistryKeyOfTheDocsWorksFromFileAndEnvironment(@TempDir Path dir) throws Exception {
    Path store = dir.resolve("trust.p12");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    try (OutputStream out = Files.newOutputStream(store)) {
      ks.store(out, "changeit".toCharArray());
    }
    Path file = dir.resolve("auditor.properties");
    Files.writeString(
        file,
        """
        kafka.bootstrap.servers=localhost:9092
        registry.url=https://registry:8443/apis/ccompat/v7
        registry.auth.user=svc
        registry.retries=7
        registry.request.timeout=PT3S
        registry.connect.timeout=1500
        registry.retry.backoff=PT0.1S
        registry.retry.backoff.max=PT2S
        registry.auto.register=false
        registry.ssl.truststore.type=pkcs12
        registry.ssl.truststore.location=%s
        """
            .formatted(store.toString().replace("\\", "/")));
    AuditorConfig c =
        AuditorConfig.load(
            file,
            Map.of(
                "SMOOTHGUARD_REGISTRY_AUTH_PASSWORD", "s3cret",
                "SMOOTHGUARD_REGISTRY_SSL_TRUSTSTORE_PASSWORD", "changeit",
                "SMOOTHGUARD_REGISTRY_RETRIES", "2"));
    assertEquals("https://registry:8443/apis/ccompat/v7", c.registryUrl());
    assertEquals("svc", c.registry().auth().orElseThrow().user());
    assertEquals("s3cret", c.registry().auth().orElseThrow().password());
    assertEquals(2, c.registry().retries(), "the environment wins");
    assertEquals(Duration.ofSeconds(3), c.registry().requestTimeout());
    assertEquals(Duration.ofMillis(1500), c.registry().connectTimeout());
    assertEquals(Duration.ofMillis(100), c.registry().retryBackoff());
    assertEquals(Duration.ofSeconds(2), c.registry().retryBackoffMax());
    assertFalse(c.registryAutoRegister());
    assertTrue(c.registry().sslContext().isPresent());
    String dump = String.join("\n", c.describe());
    assertFalse(dump.contains("s3cret") || dump.contains("changeit"), dump);
    assertTrue(dump.contains("registry.auth.password=[hidden]"), dump);

    ConfigException wrongStore =
        assertThrows(
            ConfigException.class,
            () ->
                AuditorConfig.load(
                    file,
                    Map.of(
                        "SMOOTHGUARD_REGISTRY_AUTH_PASSWORD", "s3cret",
                        "SMOOTHGUARD_REGISTRY_SSL_TRUSTSTORE_PASSWORD", "wrong")));
    assertTrue(
        wrongStore.getMessage().contains("registry.ssl.truststore.location"),
        wrongStore.getMessage());
    assertFalse(wrongStore.getMessage().contains("s3cret"), wrongStore.getMessage());
    ConfigException half =
        assertThrows(
            ConfigException.class,
            () ->
                AuditorConfig.from(
                    Map.of(
                        "kafka.bootstrap.servers",
                        "b:9092",
                        "registry.url",
                        "http://r",
                        "registry.auth.user",
                        "svc"),
                    Map.of()));
    assertTrue(half.getMessage().contains("registry.auth.password is required"), half.getMessage());
  }

  @Test
  void theStartUpDumpHidesEverySecret() {
    String pemKey =
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
    Map<String, String> file = new HashMap<>(MINIMAL);
    file.put("kafka.ssl.keystore.key", pemKey);
    file.put("kafka.ssl.keystore.type", "PEM");
    file.put("kafka.ssl.key.password", "keypass-1");
    file.put(
        "kafka.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"jaas-2\";");
    file.put("kafka.producer.ssl.keystore.password", "storepass-3");
    file.put("kafka.sasl.oauthbearer.client.credentials.client.secret", "oauth-4");
    file.put("kafka.sasl.login.callback.handler.token", "token-5");
    file.put("kafka.some.plugin.secret.value", "secret-6");
    file.put("registry.auth.user", "svc");
    file.put("registry.auth.password", "registry-7");
    AuditorConfig c = AuditorConfig.from(file, Map.of());
    String dump = String.join("\n", c.describe()) + c;
    for (String secret :
        List.of(
            "MIIEvQ",
            "keypass-1",
            "jaas-2",
            "storepass-3",
            "oauth-4",
            "token-5",
            "secret-6",
            "registry-7")) {
      assertFalse(dump.contains(secret), secret + " leaked into: " + dump);
    }
    assertTrue(c.describe().contains("kafka.ssl.keystore.key=[hidden]"), dump);
    assertTrue(
        c.describe().contains("kafka.ssl.keystore.type=PEM"), "other settings are shown: " + dump);
    assertTrue(c.describe().contains("kafka.bootstrap.servers=localhost:9092"), dump);
    assertEquals(pemKey, c.kafka().get("ssl.keystore.key"), "the clients still get the value");
  }

  @Test
  void theSeedTakesAnyLong() {
    for (long seed : new long[] {Long.MIN_VALUE, -1, 0, 1L << 40, Long.MAX_VALUE}) {
      AuditorConfig c =
          AuditorConfig.from(MINIMAL, Map.of("SMOOTHGUARD_SEED", Long.toString(seed)));
      assertEquals(seed, c.seed().getAsLong());
    }
    assertTrue(AuditorConfig.from(MINIMAL, Map.of("SMOOTHGUARD_SEED", "")).seed().isEmpty());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> AuditorConfig.from(MINIMAL, Map.of("SMOOTHGUARD_SEED", "9223372036854775808")));
    assertTrue(e.getMessage().contains("seed"), e.getMessage());
  }

  @Test
  void overridesAreValidatedAgain() {
    AuditorConfig c = AuditorConfig.from(MINIMAL, Map.of());
    assertEquals(0.5, c.with(Map.of("sigma", "0.5")).sigma().getAsDouble());
    assertEquals(
        "other:1",
        c.withKafka(Map.of("bootstrap.servers", "other:1")).kafka().get("bootstrap.servers"));
    assertThrows(ConfigException.class, () -> c.with(Map.of("sigma", "-1")));
    assertEquals(
        4,
        c.with(Map.of("kafka.num.stream.threads", "4"))
            .getInt(AuditorConfigDef.KAFKA_NUM_STREAM_THREADS));
  }

  @Test
  void plainClientsGetTheConnectionSettingsButNotTheStreamsOnes() {
    AuditorConfig c =
        AuditorConfig.from(
            Map.of(
                "kafka.bootstrap.servers",
                "b:9092",
                "registry.url",
                "http://r",
                "kafka.security.protocol",
                "SSL",
                "kafka.state.dir",
                "/var/state",
                "kafka.producer.linger.ms",
                "50",
                "kafka.consumer.fetch.max.bytes",
                "1000",
                "kafka.admin.retries",
                "1"),
            Map.of());
    Map<String, Object> producer = KafkaClientSettings.producer(c.kafka());
    assertEquals("b:9092", producer.get("bootstrap.servers"));
    assertEquals("SSL", producer.get("security.protocol"));
    assertEquals("50", producer.get("linger.ms"));
    assertFalse(
        producer.containsKey("state.dir")
            || producer.containsKey("processing.guarantee")
            || producer.containsKey("num.stream.threads")
            || producer.containsKey("fetch.max.bytes")
            || producer.containsKey("producer.linger.ms")
            || producer.containsKey("retries"),
        producer::toString);
    Map<String, Object> consumer = KafkaClientSettings.consumer(c.kafka());
    assertEquals("1000", consumer.get("fetch.max.bytes"));
    assertFalse(consumer.containsKey("linger.ms"), consumer::toString);
  }
}
