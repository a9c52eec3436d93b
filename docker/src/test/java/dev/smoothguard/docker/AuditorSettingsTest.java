package dev.smoothguard.docker;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.config.AuditorConfigDef;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * Every setting the deployment gives the auditor (compose environment, image ENV, the baked-in
 * auditor.properties) is one the auditor reads: the auditor silently ignores a SMOOTHGUARD_*
 * variable that names no key, so a typo here would never show up at run time.
 */
class AuditorSettingsTest {
  private static final Path PROPERTIES = Repo.docker().resolve("auditor.properties");

  /** Prefixes Kafka Streams accepts in front of a client setting to aim it at one client. */
  private static final List<String> STREAMS_CLIENT_PREFIXES =
      List.of(
          "main.consumer.",
          "restore.consumer.",
          "global.consumer.",
          "consumer.",
          "producer.",
          "admin.",
          "topic.");

  @Test
  void everySmoothguardVariableNamesAnAuditorKey() {
    Map<String, String> all = new LinkedHashMap<>();
    for (Dockerfile d : List.of(Stack.cpuImage(), Stack.cudaImage())) {
      d.env().forEach((k, v) -> all.put(d.file().getFileName() + " ENV " + k, k));
    }
    for (ComposeFile f : List.of(Stack.compose(), Stack.gpuOverride())) {
      f.services()
          .forEach(
              (service, s) ->
                  ComposeFile.environment(s)
                      .keySet()
                      .forEach(k -> all.put(f.file().getFileName() + " " + service + " " + k, k)));
    }
    int checked = 0;
    for (Map.Entry<String, String> e : all.entrySet()) {
      String variable = e.getValue();
      if (!variable.startsWith(AuditorConfig.ENV_PREFIX)) {
        continue;
      }
      checked++;
      String key =
          variable
              .substring(AuditorConfig.ENV_PREFIX.length())
              .toLowerCase(Locale.ROOT)
              .replace('_', '.');
      assertEquals(variable, AuditorConfig.envVariableOf(key), "round trip of " + e.getKey());
      assertTrue(
          isAuditorKey(key),
          e.getKey() + " -> '" + key + "' is neither an auditor key nor a Kafka setting");
    }
    assertTrue(
        checked >= 10,
        "expected the stack to configure the auditor by environment, found " + checked);
  }

  @Test
  void everyKeyOfTheBakedInPropertiesIsAnAuditorKey() throws IOException {
    for (String key : properties().stringPropertyNames()) {
      assertTrue(
          isAuditorKey(key),
          "auditor.properties: '" + key + "' is neither an auditor key nor a Kafka setting");
    }
  }

  @Test
  void theAuditorAcceptsTheCpuStacksConfiguration() throws IOException {
    Map<String, String> env = new LinkedHashMap<>(Stack.cpuImage().env());
    env.putAll(ComposeFile.environment(Stack.compose().service("auditor")));
    AuditorConfig config = assertDoesNotThrow(() -> AuditorConfig.load(PROPERTIES, env));
    assertEquals("cpu", config.device());
    assertEquals(
        config.httpPort(), Integer.parseInt(Stack.cpuImage().last("EXPOSE").args().trim()));
    assertTrue(config.exactlyOnce(), "the stack runs exactly-once");
    assertEquals("kafka:9092", config.kafka().get("bootstrap.servers"));
  }

  @Test
  void theAuditorAcceptsTheGpuStacksConfiguration() throws IOException {
    Map<String, String> env = new LinkedHashMap<>(Stack.cudaImage().env());
    env.putAll(ComposeFile.environment(Stack.compose().service("auditor")));
    env.putAll(ComposeFile.environment(Stack.gpuOverride().service("auditor")));
    AuditorConfig config = assertDoesNotThrow(() -> AuditorConfig.load(PROPERTIES, env));
    assertEquals("cuda", config.device());
  }

  @Test
  void theBakedInModelIsInTheCheckout() throws IOException {
    AuditorConfig config =
        AuditorConfig.load(
            PROPERTIES,
            Map.of(
                "SMOOTHGUARD_KAFKA_BOOTSTRAP_SERVERS",
                "kafka:9092",
                "SMOOTHGUARD_REGISTRY_URL",
                "http://registry:8081"));
    // the images COPY models/ into /opt/smoothguard, their working directory
    assertTrue(
        Files.isRegularFile(Repo.root().resolve(config.modelPath())),
        "model " + config.modelPath());
    assertFalse(config.modelPath().isAbsolute());
  }

  private static boolean isAuditorKey(String key) {
    if (AuditorConfigDef.definition().names().contains(key)) {
      return true;
    }
    if (!key.startsWith(AuditorConfig.KAFKA_PREFIX)) {
      return false;
    }
    String setting = key.substring(AuditorConfig.KAFKA_PREFIX.length());
    for (String prefix : STREAMS_CLIENT_PREFIXES) {
      if (setting.startsWith(prefix)) {
        setting = setting.substring(prefix.length());
        break;
      }
    }
    return kafkaSettings().contains(setting);
  }

  private static Set<String> kafkaSettings() {
    Set<String> names = new HashSet<>(StreamsConfig.configDef().names());
    names.addAll(ConsumerConfig.configNames());
    names.addAll(ProducerConfig.configNames());
    names.addAll(AdminClientConfig.configNames());
    return names;
  }

  private static Properties properties() throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(PROPERTIES)) {
      p.load(r);
    }
    return p;
  }
}
