package dev.smoothguard.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.schemas.testing.SharedRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedRegistry.class)
class EmbeddedRegistryTest {

  @Test
  void answersOnLoopbackWithBackwardTransitiveGlobally(EmbeddedRegistry registry) {
    assertTrue(registry.isRunning());
    assertTrue(registry.url().matches("http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7"), registry.url());
    RegistryClient client = new RegistryClient(registry.config());
    assertEquals(Compatibility.BACKWARD_TRANSITIVE, client.compatibility(null));
    System.out.println("registry startup ms: " + registry.startupTime().toMillis());
    assertFalse(registry.startupTime().isZero());
  }
}
