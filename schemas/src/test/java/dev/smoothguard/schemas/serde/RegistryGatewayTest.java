package dev.smoothguard.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.devstack.EmbeddedRegistry;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.schemas.testing.RegistryGateway;
import dev.smoothguard.schemas.testing.Samples;
import dev.smoothguard.schemas.testing.SharedRegistry;
import dev.smoothguard.schemas.v1.ImageEvent;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Basic auth, TLS and retries against the real registry behind a gateway. */
@ExtendWith(SharedRegistry.class)
class RegistryGatewayTest {

  @Test
  void basicAuthIsSentAndAWrongPasswordIsAClearError(EmbeddedRegistry registry) throws Exception {
    try (RegistryGateway gateway = new RegistryGateway(registry.url(), "svc", "s3cret", 0, null)) {
      RegistryClient good =
          new RegistryClient(
              RegistryConfig.fromProperties(
                  Map.of(
                      "registry.url",
                      gateway.url(),
                      "registry.auth.user",
                      "svc",
                      "registry.auth.password",
                      "s3cret")));
      AvroSerde<ImageEvent> serde = AvroSerde.specific(good, ImageEvent.class, false);
      byte[] bytes = serde.serializer().serialize("auth-images", Samples.image());
      // a fresh client must fetch the schema by id through the gateway
      RegistryClient reader =
          new RegistryClient(RegistryConfig.of(gateway.url()).withAuth("svc", "s3cret"));
      assertEquals(
          Samples.image(),
          AvroDeserializer.specific(reader, ImageEvent.class).deserialize("auth-images", bytes));

      RegistryClient wrong =
          new RegistryClient(RegistryConfig.of(gateway.url()).withAuth("svc", "guess"));
      RegistryResponseException e =
          assertThrows(
              RegistryResponseException.class,
              () ->
                  AvroDeserializer.specific(wrong, ImageEvent.class)
                      .deserialize("auth-images", bytes));
      assertEquals(401, e.status());
      assertEquals(SerdeException.Reason.REGISTRY_ERROR, e.reason());
      assertTrue(e.getMessage().contains("Unauthorized"), e.getMessage());
    }
  }

  @Test
  void transient503sAreRetriedWithinTheBound(EmbeddedRegistry registry) throws Exception {
    try (RegistryGateway gateway = new RegistryGateway(registry.url(), null, null, 2, null)) {
      RegistryClient client =
          new RegistryClient(
              RegistryConfig.of(gateway.url())
                  .withRetries(2, Duration.ofMillis(10), Duration.ofMillis(20)));
      byte[] bytes =
          new AvroSerializer<ImageEvent>(client, false).serialize("retry-images", Samples.image());
      assertEquals(0, bytes[0]);
      assertEquals(3, gateway.requests(), "two 503s, then success");
    }
    try (RegistryGateway gateway = new RegistryGateway(registry.url(), null, null, 5, null)) {
      RegistryClient client =
          new RegistryClient(
              RegistryConfig.of(gateway.url())
                  .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(20)));
      RegistryUnavailableException e =
          assertThrows(
              RegistryUnavailableException.class, () -> client.schemaById(1, "retry-images"));
      assertEquals(2, e.attempts());
      assertEquals(2, gateway.requests(), "no more attempts than configured");
      assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
    }
  }

  @Test
  void httpsWithATruststoreFromTheConfigKeys(EmbeddedRegistry registry, @TempDir Path dir)
      throws Exception {
    Path keystore = dir.resolve("gateway.p12");
    Path cert = dir.resolve("gateway.crt");
    Path truststore = dir.resolve("trust.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "gateway",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "san=ip:127.0.0.1",
        "-validity",
        "2",
        "-keystore",
        keystore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit");
    keytool(
        "-exportcert",
        "-alias",
        "gateway",
        "-keystore",
        keystore.toString(),
        "-storepass",
        "changeit",
        "-file",
        cert.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "gateway",
        "-file",
        cert.toString(),
        "-keystore",
        truststore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "trustpass");

    try (RegistryGateway gateway =
        new RegistryGateway(registry.url(), null, null, 0, serverTls(keystore))) {
      RegistryClient client =
          new RegistryClient(
              RegistryConfig.fromProperties(
                  Map.of(
                      "registry.url", gateway.url(),
                      "registry.ssl.truststore.location", truststore.toString(),
                      "registry.ssl.truststore.password", "trustpass")));
      assertTrue(gateway.url().startsWith("https://"));
      byte[] bytes =
          new AvroSerializer<ImageEvent>(client, false).serialize("tls-images", Samples.image());
      RegistryClient reader = new RegistryClient(client.config());
      assertEquals(
          Samples.image(),
          AvroDeserializer.specific(reader, ImageEvent.class).deserialize("tls-images", bytes));

      // without the truststore the gateway's self-signed certificate is refused
      RegistryClient untrusting =
          new RegistryClient(
              RegistryConfig.of(gateway.url())
                  .withRetries(0, Duration.ofMillis(10), Duration.ofMillis(10)));
      RegistryUnavailableException e =
          assertThrows(
              RegistryUnavailableException.class,
              () -> untrusting.schemaById(WireFormat.schemaId(bytes, "t"), "tls-images"));
      assertTrue(e.getCause() instanceof SSLException, String.valueOf(e.getCause()));
    }
  }

  private static SSLContext serverTls(Path keystore) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + out);
  }
}
