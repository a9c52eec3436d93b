package dev.smoothguard.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryConfigTest {

  @Test
  void defaultsNeedOnlyTheUrl() {
    RegistryConfig c =
        RegistryConfig.fromProperties(Map.of("registry.url", "http://reg:8081/", "other.key", "x"));
    assertEquals("http://reg:8081", c.url().toString(), "trailing slash dropped");
    assertEquals(Optional.empty(), c.auth());
    assertEquals(Optional.empty(), c.sslContext());
    assertTrue(c.autoRegister());
    assertEquals(RegistryConfig.DEFAULT_RETRIES, c.retries());
    assertEquals(Duration.ofSeconds(5), c.connectTimeout());
    assertEquals(Duration.ofSeconds(10), c.requestTimeout());
    assertEquals(RegistryConfig.of("http://reg:8081"), c);
  }

  @Test
  void everyKeyIsRead() {
    RegistryConfig c =
        RegistryConfig.fromProperties(
            Map.of(
                "registry.url", "https://reg.example:8443/apis/ccompat/v7",
                "registry.auth.user", "svc",
                "registry.auth.password", "s3cret",
                "registry.auto.register", "false",
                "registry.connect.timeout", "PT2S",
                "registry.request.timeout", "1500",
                "registry.retries", "5",
                "registry.retry.backoff", "PT0.1S",
                "registry.retry.backoff.max", "PT3S"));
    assertEquals("svc", c.auth().orElseThrow().user());
    assertEquals("s3cret", c.auth().orElseThrow().password());
    assertFalse(c.autoRegister());
    assertEquals(Duration.ofSeconds(2), c.connectTimeout());
    assertEquals(Duration.ofMillis(1500), c.requestTimeout());
    assertEquals(5, c.retries());
    assertEquals(Duration.ofMillis(100), c.retryBackoff());
    assertEquals(Duration.ofSeconds(3), c.retryBackoffMax());
    assertFalse(c.toString().contains("s3cret"), "password must not leak into logs: " + c);
  }

  @Test
  void badValuesNameTheirKey() {
    assertMessage("registry.url", Map.of());
    assertMessage("registry.url", Map.of("registry.url", "ftp://x"));
    assertMessage(
        "registry.retries", Map.of("registry.url", "http://x", "registry.retries", "many"));
    assertMessage("registry.retries", Map.of("registry.url", "http://x", "registry.retries", "-1"));
    assertMessage(
        "registry.request.timeout",
        Map.of("registry.url", "http://x", "registry.request.timeout", "10 s"));
    assertMessage(
        "registry.connect.timeout",
        Map.of("registry.url", "http://x", "registry.connect.timeout", "PT0S"));
    assertMessage(
        "registry.auto.register",
        Map.of("registry.url", "http://x", "registry.auto.register", "yes"));
    assertMessage(
        "registry.auth.password", Map.of("registry.url", "http://x", "registry.auth.user", "u"));
    assertMessage(
        "registry.auth.user", Map.of("registry.url", "http://x", "registry.auth.password", "p"));
    assertMessage(
        "registry.ssl.truststore.location",
        Map.of(
            "registry.url", "https://x", "registry.ssl.truststore.location", "/no/such/file.p12"));
  }

  @Test
  void truststoreAndKeystoreBuildAnSslContext(@TempDir Path dir) throws Exception {
    Path store = dir.resolve("store.p12");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    try (OutputStream out = Files.newOutputStream(store)) {
      ks.store(out, "changeit".toCharArray());
    }
    RegistryConfig c =
        RegistryConfig.fromProperties(
            Map.of(
                "registry.url", "https://reg:8443",
                "registry.ssl.truststore.location", store.toString(),
                "registry.ssl.truststore.password", "changeit",
                "registry.ssl.keystore.location", store.toString(),
                "registry.ssl.keystore.password", "changeit"));
    assertTrue(c.sslContext().isPresent());
    assertEquals("TLS", c.sslContext().get().getProtocol());

    ConfigException wrongPassword =
        assertThrows(
            ConfigException.class,
            () ->
                RegistryConfig.fromProperties(
                    Map.of(
                        "registry.url", "https://reg:8443",
                        "registry.ssl.truststore.location", store.toString(),
                        "registry.ssl.truststore.password", "wrong")));
    assertTrue(
        wrongPassword.getMessage().contains("registry.ssl.truststore.location"),
        wrongPassword.getMessage());
  }

  private static void assertMessage(String key, Map<String, ?> props) {
    ConfigException e =
        assertThrows(ConfigException.class, () -> RegistryConfig.fromProperties(props));
    assertTrue(e.getMessage().contains(key), "expected '" + key + "' in: " + e.getMessage());
  }
}
