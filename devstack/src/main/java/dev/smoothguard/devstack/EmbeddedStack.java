package dev.smoothguard.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the demo, the stream benchmark and the end-to-end tests start: a KRaft broker in this
 * JVM, the Apicurio registry as a child process, and a temp folder for Kafka Streams state. {@link
 * #close()} stops both and deletes the folder: nothing is left behind.
 */
public final class EmbeddedStack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);
  private final EmbeddedKafka kafka;
  private final EmbeddedRegistry registry;
  private final Path stateDir;

  private EmbeddedStack(EmbeddedKafka kafka, EmbeddedRegistry registry, Path stateDir) {
    this.kafka = kafka;
    this.registry = registry;
    this.stateDir = stateDir;
  }

  /** Starts the registry (a child process, slower) while the broker starts here. */
  public static EmbeddedStack start(int brokerPort, int registryPort) {
    return start(brokerPort, registryPort, null);
  }

  /**
   * As {@link #start(int, int)}, with the broker's and the streams' folders under tempRoot (null:
   * system temp).
   */
  public static EmbeddedStack start(int brokerPort, int registryPort, Path tempRoot) {
    Path state = null;
    EmbeddedKafka kafka = null;
    EmbeddedRegistry registry = null;
    try {
      state =
          tempRoot == null
              ? Files.createTempDirectory("smoothguard-streams-")
              : Files.createTempDirectory(tempRoot, "smoothguard-streams-");
      CompletableFuture<EmbeddedRegistry> reg =
          CompletableFuture.supplyAsync(() -> EmbeddedRegistry.start(registryPort));
      kafka = EmbeddedKafka.start(brokerPort, tempRoot);
      registry = reg.join();
      return new EmbeddedStack(kafka, registry, state);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      if (kafka != null) kafka.close();
      if (registry != null) registry.close();
      deleteTree(state);
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof RuntimeException re) throw re;
      throw e;
    }
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public String registryUrl() {
    return registry.url();
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  /** A fresh folder for one Kafka Streams instance's state (deleted with the stack). */
  public Path newStateDir() {
    try {
      return Files.createTempDirectory(stateDir, "app-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      registry.close();
    } finally {
      try {
        kafka.close();
        LOG.info("embedded broker stopped");
      } finally {
        deleteTree(stateDir);
        LOG.info("deleted {}", stateDir);
      }
    }
  }

  private static void deleteTree(Path dir) {
    for (Path left : FileTrees.deleteRecursively(dir)) {
      LOG.warn("cannot delete {}", left);
    }
  }
}
