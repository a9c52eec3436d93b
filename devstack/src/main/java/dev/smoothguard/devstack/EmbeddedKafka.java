package dev.smoothguard.devstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft broker (combined broker + controller) in this JVM, built with Kafka's
 * own {@link KafkaClusterTestKit}: for the demo, the stream benchmark and the tests. Its log
 * directories live in a temp folder deleted on close.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final String FIXED_LISTENER = "FIXED";
  private final KafkaClusterTestKit cluster;
  private final int fixedPort;
  private final Path logDir;

  private EmbeddedKafka(KafkaClusterTestKit cluster, int fixedPort, Path logDir) {
    this.cluster = cluster;
    this.fixedPort = fixedPort;
    this.logDir = logDir;
  }

  /**
   * Starts the broker.
   *
   * @param port the client port, or 0 for a free one
   */
  public static EmbeddedKafka start(int port) {
    return start(port, null);
  }

  /**
   * Starts the broker with its log folder under baseDir (null: the system temp folder); the folder
   * is deleted on close.
   */
  public static EmbeddedKafka start(int port, Path baseDir) {
    KafkaClusterTestKit cluster = null;
    Path logDir = null;
    try {
      // Our own folder: the test kit's default one is deleted by a JVM shutdown hook, which on
      // Ctrl-C pulls the logs from under the running broker and makes it halt the JVM before
      // anything else is cleaned up.
      logDir =
          baseDir == null
              ? Files.createTempDirectory("smoothguard-kafka-")
              : Files.createTempDirectory(baseDir, "kafka-");
      TestKitNodes.Builder nodesBuilder = new TestKitNodes.Builder().setBaseDirectory(logDir);
      TestKitNodes nodes =
          nodesBuilder.setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build();
      KafkaClusterTestKit.Builder builder =
          new KafkaClusterTestKit.Builder(nodes)
              .setDeleteOnClose(true)
              // one broker: internal topics (offsets, transactions) must fit on it
              .setConfigProp("offsets.topic.replication.factor", "1")
              .setConfigProp("offsets.topic.num.partitions", "1")
              .setConfigProp("transaction.state.log.replication.factor", "1")
              .setConfigProp("transaction.state.log.min.isr", "1")
              .setConfigProp("transaction.state.log.num.partitions", "1")
              .setConfigProp("group.initial.rebalance.delay.ms", "0")
              .setConfigProp("auto.create.topics.enable", "false");
      if (port > 0) {
        String listener = nodes.brokerListenerName().value();
        String controller = nodes.controllerListenerName().value();
        // The test kit pre-binds a socket per listener name and always serves that one, whatever
        // port is asked for; a third listener it does not know binds the requested port.
        builder
            .setConfigProp(
                "listeners",
                listener
                    + "://localhost:0,"
                    + controller
                    + "://localhost:0,"
                    + FIXED_LISTENER
                    + "://localhost:"
                    + port)
            .setConfigProp(
                "listener.security.protocol.map",
                listener
                    + ":PLAINTEXT,"
                    + controller
                    + ":PLAINTEXT,"
                    + FIXED_LISTENER
                    + ":PLAINTEXT");
      }
      cluster = builder.build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      EmbeddedKafka kafka = new EmbeddedKafka(cluster, port, logDir);
      LOG.info("embedded KRaft broker ready at {}", kafka.bootstrapServers());
      return kafka;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(cluster);
      FileTrees.deleteRecursively(logDir);
      throw new IllegalStateException("interrupted while starting the embedded broker", e);
    } catch (Exception e) {
      closeQuietly(cluster);
      FileTrees.deleteRecursively(logDir);
      throw new BrokerStartException(
          "cannot start the embedded Kafka broker"
              + (port > 0 ? " on port " + port : "")
              + ": "
              + rootMessage(e),
          e);
    }
  }

  /** The bootstrap address clients should use (the fixed port when one was asked for). */
  public String bootstrapServers() {
    return fixedPort > 0 ? "localhost:" + fixedPort : cluster.bootstrapServers();
  }

  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  /** Creates topics that do not exist yet (one broker: replication 1). */
  public void createTopics(int partitions, Collection<String> names) {
    try (Admin admin = admin()) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (String name : names) {
        if (!existing.contains(name)) missing.add(new NewTopic(name, partitions, (short) 1));
      }
      admin.createTopics(missing).all().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topics " + names + ": " + rootMessage(e), e);
    }
  }

  @Override
  public void close() {
    closeQuietly(cluster);
    FileTrees.deleteRecursively(logDir);
  }

  private static void closeQuietly(KafkaClusterTestKit cluster) {
    if (cluster == null) return;
    try {
      cluster.close();
    } catch (Exception e) {
      LOG.warn("embedded broker did not close cleanly: {}", e.toString());
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
