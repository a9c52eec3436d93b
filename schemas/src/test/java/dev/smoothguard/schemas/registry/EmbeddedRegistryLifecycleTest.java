package dev.smoothguard.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.schemas.testing.SharedRegistry;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SharedRegistry.class)
class EmbeddedRegistryLifecycleTest {

  @Test
  void answersOnLoopbackWithBackwardTransitiveGlobally(EmbeddedRegistry registry) {
    assertTrue(registry.isRunning());
    assertTrue(registry.url().matches("http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7"), registry.url());
    assertEquals(Compatibility.BACKWARD_TRANSITIVE, new RegistryClient(registry.config()).compatibility(null));
    assertFalse(registry.startupTime().isZero());
    System.out.printf("embedded registry started in %d ms%n", registry.startupTime().toMillis());
  }

  @Test
  void aTakenPortIsAClearError(EmbeddedRegistry registry) {
    RegistryStartException e = assertThrows(RegistryStartException.class,
        () -> EmbeddedRegistry.start(registry.port()));
    assertTrue(e.getMessage().contains("port " + registry.port()), e.getMessage());
    assertTrue(e.getMessage().contains("in use"), e.getMessage());
    assertTrue(registry.isRunning(), "the running registry is untouched");
  }

  @Test
  void closeStopsTheProcessAndIsIdempotent() {
    EmbeddedRegistry registry = EmbeddedRegistry.start();
    ProcessHandle handle = ProcessHandle.of(registry.pid()).orElseThrow();
    registry.close();
    assertFalse(handle.isAlive(), "registry process must be gone after close()");
    assertFalse(registry.isRunning());
    registry.close();
  }

  @Test
  void missingDistributionSaysHowToBuildIt(@TempDir Path empty) {
    String previous = System.getProperty(ApicurioDistribution.DIR_PROPERTY);
    System.setProperty(ApicurioDistribution.DIR_PROPERTY, empty.toString());
    try {
      RegistryStartException e = assertThrows(RegistryStartException.class, EmbeddedRegistry::start);
      assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("./mvnw -B -pl schemas package"), e.getMessage());
    } finally {
      if (previous == null) {
        System.clearProperty(ApicurioDistribution.DIR_PROPERTY);
      } else {
        System.setProperty(ApicurioDistribution.DIR_PROPERTY, previous);
      }
    }
    assertEquals(Optional.empty(), ApicurioDistribution.in(empty));
  }
}
