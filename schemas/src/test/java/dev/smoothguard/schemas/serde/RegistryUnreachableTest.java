package dev.smoothguard.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.devstack.EmbeddedRegistry;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.schemas.testing.Samples;
import dev.smoothguard.schemas.v1.FailureReason;
import dev.smoothguard.schemas.v1.ImageEvent;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A registry that goes away: cached schemas keep working, everything else fails after the
 * configured retries with a RegistryUnavailableException naming the URL, topic and id.
 */
class RegistryUnreachableTest {

  @Test
  void cachesServeWhileTheRegistryIsDownAndMissesFailAfterRetries() {
    RegistryClient client;
    byte[] image;
    String url;
    try (EmbeddedRegistry registry = EmbeddedRegistry.start()) {
      url = registry.url();
      client =
          new RegistryClient(
              RegistryConfig.of(registry.url())
                  .withRetries(2, Duration.ofMillis(20), Duration.ofMillis(50))
                  .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2)));
      image =
          new AvroSerializer<ImageEvent>(client, false).serialize("down-images", Samples.image());
    }
    // the registry's port is closed now
    AvroSerde<ImageEvent> serde = AvroSerde.specific(client, ImageEvent.class, false);
    assertEquals(
        Samples.image(), serde.deserializer().deserialize("down-images", image), "cached id");
    assertEquals(
        image.length,
        serde.serializer().serialize("down-images", Samples.image()).length,
        "cached subject");

    int missingId = WireFormat.schemaId(image, "t") + 1; // never fetched by this client
    byte[] payload = WireFormat.frame(missingId, new byte[] {0});
    RegistryUnavailableException read =
        assertThrows(
            RegistryUnavailableException.class,
            () -> serde.deserializer().deserialize("down-other", payload));
    assertEquals(3, read.attempts(), "1 try + 2 retries");
    assertEquals(url, read.url());
    assertEquals(missingId, read.schemaId().orElseThrow());
    assertTrue(read.getMessage().contains("fetching schema id " + missingId), read.getMessage());
    assertTrue(read.getMessage().contains("'down-other'"), read.getMessage());
    assertTrue(read.isTransient());
    assertEquals(FailureReason.REGISTRY_UNAVAILABLE, read.failureReason());

    RegistryUnavailableException write =
        assertThrows(
            RegistryUnavailableException.class,
            () -> serde.serializer().serialize("down-new-topic", Samples.image()));
    assertEquals("down-new-topic-value", write.subject().orElseThrow());
    assertTrue(
        write.getMessage().contains("registering dev.smoothguard.schemas.v1.ImageEvent"),
        write.getMessage());
  }

  @Test
  void neverStartedRegistryWithoutRetries() {
    RegistryClient client =
        new RegistryClient(
            RegistryConfig.of("http://127.0.0.1:1")
                .withRetries(0, Duration.ofMillis(10), Duration.ofMillis(10)));
    RegistryUnavailableException e =
        assertThrows(RegistryUnavailableException.class, () -> client.schemaById(1, "t"));
    assertEquals(1, e.attempts());
    assertFalse(e.getMessage().isBlank());
  }
}
