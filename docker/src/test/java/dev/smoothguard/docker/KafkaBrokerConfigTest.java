package dev.smoothguard.docker;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import kafka.server.KafkaConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.server.config.AbstractKafkaConfig;
import org.junit.jupiter.api.Test;

/**
 * The kafka service's environment, turned into server properties as the apache/kafka image does, is
 * a configuration Kafka 4.3 itself accepts: a valid single-node KRaft broker+controller on which
 * the auditor's exactly-once transactions can run.
 */
class KafkaBrokerConfigTest {
  private final Map<String, String> env = ComposeFile.environment(Stack.compose().service("kafka"));
  private final Properties props = KafkaService.serverProperties(env);

  @Test
  void theImageNamingRuleMapsVariablesToProperties() {
    assertEquals(
        "listener.security.protocol.map",
        KafkaService.propertyName("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"));
    assertEquals("a_b.c-d", KafkaService.propertyName("KAFKA_A__B_C___D"));
  }

  @Test
  void everyVariableIsAKafkaServerSetting() {
    Set<String> known = AbstractKafkaConfig.CONFIG_DEF.names();
    for (String name : props.stringPropertyNames()) {
      assertTrue(known.contains(name), "not a Kafka server setting: " + name);
    }
  }

  @Test
  void kafkaAcceptsTheConfiguration() {
    // KafkaConfig validates KRaft roles, listeners, advertised listeners and the quorum together
    KafkaConfig config = assertDoesNotThrow(() -> new KafkaConfig(props));
    assertEquals(
        Set.of("broker", "controller"), Set.of(props.getProperty("process.roles").split(",")));
    assertEquals(1, config.nodeId());
  }

  @Test
  void theClusterIdIsOneStorageFormatAccepts() {
    String id = env.get("CLUSTER_ID");
    assertDoesNotThrow(() -> Uuid.fromString(id), "CLUSTER_ID " + id);
  }

  @Test
  void exactlyOnceTransactionsCanRunOnOneBroker() {
    // the defaults (3 replicas, min ISR 2) would leave every transactional producer waiting forever
    assertEquals("1", props.getProperty("transaction.state.log.replication.factor"));
    assertEquals("1", props.getProperty("transaction.state.log.min.isr"));
    assertEquals("1", props.getProperty("offsets.topic.replication.factor"));
  }
}
