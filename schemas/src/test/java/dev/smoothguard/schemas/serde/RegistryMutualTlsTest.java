package dev.smoothguard.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.devstack.EmbeddedRegistry;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.schemas.testing.RegistryGateway;
import dev.smoothguard.schemas.testing.Samples;
import dev.smoothguard.schemas.testing.SharedRegistry;
import dev.smoothguard.schemas.testing.TestCertificates;
import dev.smoothguard.schemas.testing.TestCertificates.Party;
import dev.smoothguard.schemas.v1.ImageEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS to the real registry behind a gateway that demands a client certificate, configured
 * only by the {@code registry.ssl.*} keys: stores, PEM files and inline PEM. And the registry
 * refusing the client (401) or a URL without a registry API: system faults, clearly named.
 */
@ExtendWith(SharedRegistry.class)
class RegistryMutualTlsTest {
  @TempDir static Path dir;
  private static Party server;
  private static Party client;
  private static Party stranger;

  @BeforeAll
  static void keys() throws Exception {
    server = TestCertificates.create(dir, "gateway", true);
    client = TestCertificates.create(dir, "auditor", false);
    stranger = TestCertificates.create(dir, "stranger", false);
  }

  @Test
  void aPkcs12KeyStoreAndInlinePemTrust(EmbeddedRegistry registry) throws Exception {
    try (RegistryGateway gateway = mutualTlsGateway(registry)) {
      roundTrip(
          gateway,
          Map.of(
              "registry.ssl.truststore.certificates", server.certificate(),
              "registry.ssl.keystore.location", client.store().toString(),
              "registry.ssl.keystore.password", TestCertificates.STORE_PASSWORD));
    }
  }

  @Test
  void inlinePemKeyAndChainAndAPemTrustFile(EmbeddedRegistry registry) throws Exception {
    try (RegistryGateway gateway = mutualTlsGateway(registry)) {
      roundTrip(
          gateway,
          Map.of(
              "registry.ssl.truststore.type", "PEM",
              "registry.ssl.truststore.location", server.certificatePem().toString(),
              "registry.ssl.keystore.certificate.chain", client.certificate(),
              "registry.ssl.keystore.key", client.privateKeyPem()));
    }
  }

  @Test
  void aPemKeyStoreFile(EmbeddedRegistry registry) throws Exception {
    Path pem = dir.resolve("auditor-key-and-chain.pem");
    Files.writeString(pem, client.privateKeyPem() + client.certificate());
    try (RegistryGateway gateway = mutualTlsGateway(registry)) {
      roundTrip(
          gateway,
          Map.of(
              "registry.ssl.truststore.certificates", server.certificate(),
              "registry.ssl.keystore.type", "pem",
              "registry.ssl.keystore.location", pem.toString()));
    }
  }

  @Test
  void aClientWithoutAnAcceptedCertificateIsRefused(EmbeddedRegistry registry) throws Exception {
    try (RegistryGateway gateway = mutualTlsGateway(registry)) {
      for (Map<String, String> settings :
          List.of(
              Map.of("registry.ssl.truststore.certificates", server.certificate()),
              Map.of(
                  "registry.ssl.truststore.certificates",
                  server.certificate(),
                  "registry.ssl.keystore.certificate.chain",
                  stranger.certificate(),
                  "registry.ssl.keystore.key",
                  stranger.privateKeyPem()))) {
        RegistryClient refused = client(gateway, settings);
        RegistryUnavailableException e =
            assertThrows(
                RegistryUnavailableException.class, () -> refused.schemaById(1, "mtls-images"));
        assertTrue(e.isSystemFault(), e.toString());
      }
    }
  }

  @Test
  void badTlsSettingsNameTheirKey() throws Exception {
    assertConfigError(
        "registry.ssl.keystore.key",
        Map.of(
            "registry.ssl.keystore.certificate.chain",
            client.certificate(),
            "registry.ssl.keystore.key",
            "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----"));
    assertConfigError(
        "registry.ssl.keystore.key",
        Map.of("registry.ssl.keystore.certificate.chain", client.certificate()));
    assertConfigError(
        "registry.ssl.truststore.certificates",
        Map.of("registry.ssl.truststore.certificates", "no certificate here"));
    assertConfigError(
        "registry.ssl.truststore.type",
        Map.of(
            "registry.ssl.truststore.type",
            "P12X",
            "registry.ssl.truststore.location",
            server.store().toString()));
  }

  @Test
  void aRegistryThatRefusesTheClientIsASystemFaultNamingTheCredentials(EmbeddedRegistry registry)
      throws Exception {
    try (RegistryGateway gateway = new RegistryGateway(registry.url(), "svc", "s3cret", 0, null)) {
      RegistryClient anonymous = new RegistryClient(RegistryConfig.of(gateway.url()));
      RegistryAccessDeniedException e =
          assertThrows(
              RegistryAccessDeniedException.class, () -> anonymous.schemaById(1, "auth-images"));
      assertEquals(401, e.status());
      assertTrue(e.isSystemFault());
      assertFalse(e.isTransient(), "retrying at once does not help; the stream pauses instead");
      assertTrue(
          e.getMessage().contains("refused access")
              && e.getMessage().contains("registry.auth.user")
              && e.getMessage().contains("HTTP 401"),
          e.getMessage());
      assertEquals(1, gateway.requests(), "a refusal is not retried");
      // the serializer side too
      assertThrows(
          RegistryAccessDeniedException.class,
          () ->
              new AvroSerializer<ImageEvent>(anonymous, false)
                  .serialize("auth-images", Samples.image()));
    }
  }

  @Test
  void aUrlWithoutARegistryApiIsASystemFaultNotAnUnknownSchema(EmbeddedRegistry registry) {
    String base = registry.url().replace("/apis/ccompat/v7", "");
    RegistryClient wrongPath = new RegistryClient(RegistryConfig.of(base + "/no/registry/here"));
    RegistryResponseException e =
        assertThrows(RegistryResponseException.class, () -> wrongPath.schemaById(1, "images"));
    assertEquals(404, e.status());
    assertTrue(e.isSystemFault(), e.toString());
    // the real API's 404 still means an unknown id: the record's fault
    RegistryClient right = new RegistryClient(RegistryConfig.of(registry.url()));
    UnknownSchemaIdException unknown =
        assertThrows(UnknownSchemaIdException.class, () -> right.schemaById(987_654, "images"));
    assertFalse(unknown.isSystemFault());
  }

  private static RegistryGateway mutualTlsGateway(EmbeddedRegistry registry) throws Exception {
    return new RegistryGateway(
        registry.url(), null, null, 0, TestCertificates.serverContext(server, client), true);
  }

  private static void roundTrip(RegistryGateway gateway, Map<String, String> tls) {
    assertTrue(gateway.url().startsWith("https://"));
    RegistryClient writer = client(gateway, tls);
    byte[] bytes =
        new AvroSerializer<ImageEvent>(writer, false).serialize("mtls-images", Samples.image());
    RegistryClient reader = client(gateway, tls);
    assertEquals(
        Samples.image(),
        AvroDeserializer.specific(reader, ImageEvent.class).deserialize("mtls-images", bytes));
  }

  private static RegistryClient client(RegistryGateway gateway, Map<String, String> tls) {
    Map<String, String> props = new HashMap<>(tls);
    props.put("registry.url", gateway.url());
    props.put("registry.retries", "0");
    return new RegistryClient(RegistryConfig.fromProperties(props));
  }

  private static void assertConfigError(String key, Map<String, String> tls) {
    Map<String, String> props = new HashMap<>(tls);
    props.put("registry.url", "https://127.0.0.1:1");
    ConfigException e =
        assertThrows(ConfigException.class, () -> RegistryConfig.fromProperties(props));
    assertTrue(e.getMessage().contains(key), "expected '" + key + "' in: " + e.getMessage());
    assertFalse(e.getMessage().contains("MIG"), "no key material in messages: " + e.getMessage());
  }
}
