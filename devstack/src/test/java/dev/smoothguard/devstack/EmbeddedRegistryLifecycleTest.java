package dev.smoothguard.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedRegistryLifecycleTest {
  private static EmbeddedRegistry registry;

  @BeforeAll
  static void start() {
    registry = EmbeddedRegistry.start();
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  @Test
  void answersOnLoopbackWithBackwardTransitiveGlobally() throws Exception {
    assertTrue(registry.isRunning());
    assertTrue(
        registry.url().matches("http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7"), registry.url());
    HttpResponse<String> config =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(registry.url() + "/config")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, config.statusCode());
    assertTrue(config.body().contains("BACKWARD_TRANSITIVE"), config.body());
    assertFalse(registry.startupTime().isZero());
    System.out.printf("embedded registry started in %d ms%n", registry.startupTime().toMillis());
  }

  @Test
  void aTakenPortIsAClearError() {
    RegistryStartException e =
        assertThrows(RegistryStartException.class, () -> EmbeddedRegistry.start(registry.port()));
    assertTrue(e.getMessage().contains("port " + registry.port()), e.getMessage());
    assertTrue(e.getMessage().contains("in use"), e.getMessage());
    assertTrue(registry.isRunning(), "the running registry is untouched");
  }

  @Test
  void closeStopsTheProcessAndIsIdempotent() {
    EmbeddedRegistry own = EmbeddedRegistry.start();
    ProcessHandle handle = ProcessHandle.of(own.pid()).orElseThrow();
    own.close();
    assertFalse(handle.isAlive(), "registry process must be gone after close()");
    assertFalse(own.isRunning());
    own.close();
  }

  @Test
  void missingDistributionSaysHowToBuildIt(@TempDir Path empty) {
    String previous = System.getProperty(ApicurioDistribution.DIR_PROPERTY);
    System.setProperty(ApicurioDistribution.DIR_PROPERTY, empty.toString());
    try {
      RegistryStartException e =
          assertThrows(RegistryStartException.class, EmbeddedRegistry::start);
      assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("./mvnw -B -pl devstack package"), e.getMessage());
    } finally {
      if (previous == null) {
        System.clearProperty(ApicurioDistribution.DIR_PROPERTY);
      } else {
        System.setProperty(ApicurioDistribution.DIR_PROPERTY, previous);
      }
    }
    assertEquals(Optional.empty(), ApicurioDistribution.in(empty));
  }

  /**
   * kill -9 of the owner runs no shutdown hook: the registry must still go, with its scratch
   * folder.
   */
  @Test
  void registryDiesWithAKilledOwner() throws Exception {
    Process owner =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    HoldRegistry.class.getName()))
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream()));
      long pid = -1;
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("REGISTRY_PID ")) {
          pid = Long.parseLong(line.substring("REGISTRY_PID ".length()).trim());
          break;
        }
      }
      assertTrue(pid > 0, "the owner started a registry");
      ProcessHandle registry = ProcessHandle.of(pid).orElseThrow();
      String scratch =
          registry.info().arguments().map(List::of).orElse(List.of()).stream()
              .filter(a -> a.startsWith("-Djava.io.tmpdir="))
              .findFirst()
              .orElseThrow()
              .substring("-Djava.io.tmpdir=".length());

      owner.destroyForcibly(); // SIGKILL
      owner.waitFor(30, TimeUnit.SECONDS);
      registry.onExit().get(60, TimeUnit.SECONDS);
      assertFalse(registry.isAlive(), "registry must not outlive its owner");
      assertFalse(Files.exists(Path.of(scratch)), "scratch folder removed: " + scratch);
    } finally {
      owner.destroyForcibly();
    }
  }
}
