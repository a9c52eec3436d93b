package dev.smoothguard.auditor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.smoothing.engine.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditorConfigTest {
  private static final Map<String, String> MINIMAL = Map.of(
      "kafka.bootstrap.servers", "localhost:9092", "registry.url", "http://localhost:8081");

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
    Map<String, String> env = Map.of(
        "SMOOTHGUARD_MODEL_PATH", "/m/x.onnx",
        "SMOOTHGUARD_KAFKA_BOOTSTRAP_SERVERS", "broker:9093",
        "SMOOTHGUARD_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "SMOOTHGUARD_KAFKA_PROCESSING_GUARANTEE", "at_least_once",
        "SMOOTHGUARD_JAVA_OPTS", "-Xmx1g", // the launcher's, not a key
        "PATH", "/bin");
    AuditorConfig c = AuditorConfig.from(Map.of("model.path", "a.onnx",
        "kafka.bootstrap.servers", "file:9092", "registry.url", "http://r:8081/",
        "kafka.sasl.mechanism", "PLAIN"), env);
    assertEquals(Path.of("/m/x.onnx"), c.modelPath());
    assertEquals("broker:9093", c.kafka().get("bootstrap.servers"));
    assertEquals("SASL_SSL", c.kafka().get("security.protocol"));
    assertEquals("PLAIN", c.kafka().get("sasl.mechanism"));
    assertFalse(c.exactlyOnce());
    assertEquals("http://r:8081", c.registryUrl());
  }

  @Test
  void everyBadValueIsReportedOnItsOwnLine() {
    ConfigException e = assertThrows(ConfigException.class, () -> AuditorConfig.from(Map.of(
        "n", "ten", "alpha", "2", "mode", "GUESS", "shape.policy", "stretch",
        "summary.window", "1 minute", "topic.images", "bad topic!", "device", "tpu",
        "http.port", "70000", "modle.path", "typo.onnx"), Map.of()));
    List<String> p = e.problems();
    assertTrue(p.stream().anyMatch(s -> s.startsWith("n: not a whole number: 'ten'")), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("alpha: must be in (0,1)")), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("mode: must be one of")), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("shape.policy:")), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("summary.window: not an ISO-8601")), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("topic.images: not a valid topic")), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("device:")), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("http.port: must be in 0..65535")), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("unknown key 'modle.path'")), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("kafka.bootstrap.servers: required")), p::toString);
    assertTrue(p.stream().anyMatch(s -> s.startsWith("registry.url: required")), p::toString);
    assertEquals(11, p.size(), p::toString);
    assertTrue(p.get(0).contains("(env SMOOTHGUARD_") || p.get(0).startsWith("unknown key"));
  }

  @Test
  void targetModeNeedsARadius() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> AuditorConfig.from(Map.of("mode", "target", "kafka.bootstrap.servers", "b:9092",
            "registry.url", "http://r:8081"), Map.of()));
    assertTrue(e.getMessage().contains("target.radius: required when mode=TARGET"), e.getMessage());
  }

  @Test
  void ortThreadsSplitTheCoresAcrossStreamThreads() {
    AuditorConfig c = AuditorConfig.from(MINIMAL, Map.of("SMOOTHGUARD_KAFKA_NUM_STREAM_THREADS", "4"));
    assertEquals(4, c.effectiveOrtThreads(16));
    assertEquals(1, c.effectiveOrtThreads(2));
    AuditorConfig fixed = AuditorConfig.from(MINIMAL, Map.of("SMOOTHGUARD_ORT_THREADS", "3"));
    assertEquals(3, fixed.effectiveOrtThreads(16));
  }

  @Test
  void loadsAPropertiesFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("auditor.properties");
    Files.writeString(file, """
        # comment
        kafka.bootstrap.servers = localhost:1234
        registry.url = http://localhost:8081
        sigma = 0.5
        summary.radii = 1.0, 0, 0.5
        """);
    AuditorConfig c = AuditorConfig.load(file, Map.of());
    assertEquals(0.5, c.sigma().getAsDouble());
    assertEquals(List.of(0.0, 0.5, 1.0), c.summaryRadii());
    ConfigException missing = assertThrows(ConfigException.class,
        () -> AuditorConfig.load(dir.resolve("nope.properties"), Map.of()));
    assertTrue(missing.getMessage().contains("no such file"));
  }

  @Test
  void envVariableNamesFollowTheContract() {
    assertEquals("SMOOTHGUARD_MODEL_PATH", AuditorConfig.envVariableOf("model.path"));
    assertEquals("kafka.bootstrap.servers",
        AuditorConfig.keyOfEnv("SMOOTHGUARD_KAFKA_BOOTSTRAP_SERVERS").orElseThrow());
    assertTrue(AuditorConfig.keyOfEnv("SMOOTHGUARD_HOME").isEmpty());
    for (String key : AuditorConfig.DEFAULTS.keySet()) {
      assertTrue(key.matches("[a-z0-9]+(\\.[a-z0-9]+)*"), key);
    }
  }
}
