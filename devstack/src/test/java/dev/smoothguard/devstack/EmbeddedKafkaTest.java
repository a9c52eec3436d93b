package dev.smoothguard.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {
  @Test
  void startsOnAFixedPortAndCreatesTopicsOnce() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start(port)) {
      assertTrue(kafka.bootstrapServers().endsWith(":" + port), kafka.bootstrapServers());
      kafka.createTopics(2, List.of("a", "b"));
      kafka.createTopics(2, List.of("a", "b")); // again: the topics exist, nothing to do
      try (Admin admin = kafka.admin()) {
        // the broker's metadata follows the controller's shortly after creation
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!admin.listTopics().names().get().containsAll(Set.of("a", "b"))
            && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertTrue(admin.listTopics().names().get().containsAll(Set.of("a", "b")));
        assertEquals(
            2,
            admin.describeTopics(List.of("a")).allTopicNames().get().get("a").partitions().size());
      }
    }
  }
}
