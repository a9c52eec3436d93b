package dev.smoothguard.devstack;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real schema registry for tests and for {@code bin/smoothguard demo}: the Apicurio Registry
 * runner (in-memory storage) as a child process on a loopback port, spoken to through its
 * Confluent-compatible API at {@link #url()} ({@code http://127.0.0.1:PORT/apis/ccompat/v7}).
 *
 * <p>{@link #close()} stops it (graceful, then forced) and deletes its temporary folder; a JVM
 * shutdown hook does the same if the owner forgets, and the child also exits by itself when this
 * JVM dies (see {@link ApicurioLauncher}), so it is never orphaned.
 *
 * <pre>{@code
 * try (EmbeddedRegistry registry = EmbeddedRegistry.start()) {
 *   RegistryClient client = new RegistryClient(RegistryConfig.of(registry.url())); // schemas' client
 *   ...
 * }
 * }</pre>
 */
public final class EmbeddedRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRegistry.class);
  private static final Logger CHILD_LOG =
      LoggerFactory.getLogger("dev.smoothguard.devstack.apicurio");

  /** The path of the Confluent-compatible API under the Apicurio base URL. */
  public static final String CCOMPAT_PATH = "/apis/ccompat/v7";

  /** The global compatibility level a started registry gets (Apicurio's own default is NONE). */
  public static final String BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE";

  /** How long to wait for the child to answer; generous because CI machines are slow and shared. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(3);

  private static final int LOG_TAIL_LINES = 40;

  private final Process process;
  private final int port;
  private final Path tempDir;
  private volatile Duration startupTime = Duration.ZERO; // set once the child answers
  private final Deque<String> logTail;
  private final Thread shutdownHook;
  private volatile boolean closed;

  private EmbeddedRegistry(Process process, int port, Path tempDir, Deque<String> logTail) {
    this.process = process;
    this.port = port;
    this.tempDir = tempDir;
    this.logTail = logTail;
    this.shutdownHook = new Thread(this::stop, "embedded-registry-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts on a free loopback port with the global compatibility BACKWARD_TRANSITIVE. */
  public static EmbeddedRegistry start() {
    return start(0, BACKWARD_TRANSITIVE);
  }

  /** Starts on {@code port} (0 = a free one) with the global compatibility BACKWARD_TRANSITIVE. */
  public static EmbeddedRegistry start(int port) {
    return start(port, BACKWARD_TRANSITIVE);
  }

  /**
   * Starts the registry and waits until its Confluent API answers.
   *
   * @param port loopback port, 0 for a free one
   * @param globalCompatibility set as the global compatibility level once it is up (Apicurio's own
   *     default is NONE)
   * @throws RegistryStartException when the runner is not built, the port is taken, or it does not
   *     come up within {@link #DEFAULT_START_TIMEOUT} (the message carries its last log lines)
   */
  public static EmbeddedRegistry start(int port, String globalCompatibility) {
    if (port < 0 || port > 65535) {
      throw new RegistryStartException("registry port must be 0..65535, got " + port);
    }
    ApicurioDistribution dist = ApicurioDistribution.locate();
    // a free port can be taken by someone else between our probe and the child's bind: retry
    int attempts = port == 0 ? 3 : 1;
    for (int attempt = 1; ; attempt++) {
      int chosen = port == 0 ? freePort() : requireFree(port);
      try {
        EmbeddedRegistry registry = launch(dist, chosen, DEFAULT_START_TIMEOUT);
        try {
          setGlobalCompatibility(registry.url(), globalCompatibility);
        } catch (RuntimeException e) {
          registry.close();
          throw new RegistryStartException(
              "embedded registry started but rejected the global "
                  + "compatibility "
                  + globalCompatibility
                  + ": "
                  + e.getMessage(),
              e);
        }
        return registry;
      } catch (PortTakenException e) {
        if (attempt >= attempts) {
          throw new RegistryStartException(e.getMessage());
        }
        LOG.info("registry port {} was taken meanwhile, trying another", chosen);
      }
    }
  }

  /** The Confluent-compatible base URL, e.g. {@code http://127.0.0.1:38421/apis/ccompat/v7}. */
  public String url() {
    return "http://127.0.0.1:" + port + CCOMPAT_PATH;
  }

  /** Apicurio's own base URL (its UI and native API live under it). */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** From launching the child to its first answer. */
  public Duration startupTime() {
    return startupTime;
  }

  /** The child's process id. */
  public long pid() {
    return process.pid();
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** The child's last log lines (for diagnosis). */
  public List<String> logTail() {
    synchronized (logTail) {
      return new ArrayList<>(logTail);
    }
  }

  /** Stops the registry and waits for it; idempotent. */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running or has run: nothing to remove
    }
  }

  private synchronized void stop() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      // closing its stdin makes the child exit gracefully (ApicurioLauncher)
      try {
        process.getOutputStream().close();
      } catch (IOException ignored) {
        // already closed: the child sees end-of-stream either way
      }
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          LOG.warn("embedded registry (pid {}) did not stop, killing it", process.pid());
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      FileTrees.deleteRecursively(tempDir);
    }
    LOG.info("embedded registry on port {} stopped", port);
  }

  private static EmbeddedRegistry launch(ApicurioDistribution dist, int port, Duration timeout) {
    Path tempDir;
    try {
      tempDir = Files.createTempDirectory(ApicurioLauncher.SCRATCH_PREFIX);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary folder for the registry", e);
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "-Djava.io.tmpdir="
                    + tempDir, // Vert.x and Quarkus write their caches here; deleted on close
                "-D" + ApicurioLauncher.SCRATCH_PROPERTY + "=" + tempDir,
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.banner.enabled=false",
                "-Dquarkus.vertx.caching=false",
                "-cp",
                launcherLocation() + File.pathSeparator + dist.runnerJar(),
                ApicurioLauncher.class.getName(),
                dist.mainClass()));
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(tempDir.toFile()).redirectErrorStream(true);
    long t0 = System.nanoTime();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      FileTrees.deleteRecursively(tempDir);
      throw new RegistryStartException("cannot start the registry process: " + e.getMessage(), e);
    }
    Deque<String> tail = new ArrayDeque<>();
    Thread pump = new Thread(() -> pumpLog(process, tail), "registry-log-" + port);
    pump.setDaemon(true);
    pump.start();

    // owned from here on: close() and the shutdown hook stop it whatever happens next
    EmbeddedRegistry registry = new EmbeddedRegistry(process, port, tempDir, tail);
    try {
      awaitReady(process, port, timeout, tail);
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    registry.startupTime = Duration.ofNanos(System.nanoTime() - t0);
    LOG.info(
        "embedded schema registry (Apicurio, pid {}) ready at {} after {} ms",
        process.pid(),
        registry.url(),
        registry.startupTime.toMillis());
    return registry;
  }

  private static void awaitReady(Process process, int port, Duration timeout, Deque<String> tail) {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    URI probe;
    try {
      probe = new URI("http://127.0.0.1:" + port + CCOMPAT_PATH + "/subjects");
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String log = String.join("\n", snapshot(tail));
        if (log.contains("Port already bound") || log.contains("Address already in use")) {
          throw new PortTakenException("registry port " + port + " on 127.0.0.1 is already in use");
        }
        throw new RegistryStartException(
            "the registry process exited with code "
                + process.exitValue()
                + " before answering; its last log lines:\n"
                + log);
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryStartException("interrupted while waiting for the registry to start");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryStartException("interrupted while waiting for the registry to start");
      }
    }
    throw new RegistryStartException(
        "the registry did not answer on port "
            + port
            + " within "
            + timeout.toSeconds()
            + " s; its last log lines:\n"
            + String.join("\n", snapshot(tail)));
  }

  private static void pumpLog(Process process, Deque<String> tail) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        CHILD_LOG.debug(line);
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > LOG_TAIL_LINES) {
            tail.removeFirst();
          }
        }
      }
    } catch (IOException ignored) {
      // the process ended
    }
  }

  private static List<String> snapshot(Deque<String> tail) {
    synchronized (tail) {
      return new ArrayList<>(tail);
    }
  }

  /** Where ApicurioLauncher's class comes from (a jar or target/classes). */
  /**
   * PUT {@code /config} of the Confluent API with plain JDK HTTP: the dev stack does not depend on
   * the schemas module (whose tests use this registry), so not on its RegistryClient either.
   */
  private static void setGlobalCompatibility(String url, String level) {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    HttpRequest put =
        HttpRequest.newBuilder(URI.create(url + "/config"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
            .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + level + "\"}"))
            .build();
    try {
      HttpResponse<String> r = http.send(put, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String launcherLocation() {
    try {
      return Path.of(
              ApicurioLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException | NullPointerException e) {
      throw new RegistryStartException(
          "cannot locate the smoothguard-devstack classes for the registry launcher", e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new RegistryStartException("cannot find a free loopback port: " + e.getMessage(), e);
    }
  }

  private static int requireFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return port;
    } catch (IOException e) {
      throw new RegistryStartException("registry port " + port + " on 127.0.0.1 is already in use");
    }
  }

  private static final class PortTakenException extends RuntimeException {
    PortTakenException(String message) {
      super(message);
    }
  }
}
