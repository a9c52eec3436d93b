package dev.smoothguard.auditor.config;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Turns the service's Kafka Streams settings ({@code kafka.*} without the prefix) into the settings
 * of a plain producer or consumer, as {@code replay} and {@code redrive} need them: the connection
 * and security settings stay, Streams-only settings ({@code processing.guarantee}, {@code
 * num.stream.threads}, {@code state.dir}, ...) go, and Streams' per-client prefixes ({@code
 * producer.}, {@code consumer.}, {@code main.consumer.}) apply to the client they name.
 */
public final class KafkaClientSettings {
  private static final List<String> CLIENT_PREFIXES =
      List.of(
          "main.consumer.",
          "restore.consumer.",
          "global.consumer.",
          "consumer.",
          "producer.",
          "admin.",
          "topic.");
  private static final Set<String> STREAMS_ONLY = streamsOnly();

  private KafkaClientSettings() {}

  public static Map<String, Object> producer(Map<String, String> kafka) {
    return forClient(kafka, List.of("producer."));
  }

  public static Map<String, Object> consumer(Map<String, String> kafka) {
    return forClient(kafka, List.of("consumer.", "main.consumer."));
  }

  /** The setting without a Streams client prefix ({@code producer.acks -> acks}). */
  static String withoutClientPrefix(String setting) {
    for (String prefix : CLIENT_PREFIXES) {
      if (setting.startsWith(prefix)) {
        return setting.substring(prefix.length());
      }
    }
    return setting;
  }

  private static Map<String, Object> forClient(
      Map<String, String> kafka, List<String> ownPrefixes) {
    Map<String, Object> props = new HashMap<>();
    kafka.forEach(
        (k, v) -> {
          if (withoutClientPrefix(k).equals(k) && !STREAMS_ONLY.contains(k)) {
            props.put(k, v);
          }
        });
    // the client's own prefixed settings win over the general ones, the more specific last
    for (String prefix : ownPrefixes) {
      kafka.forEach(
          (k, v) -> {
            if (k.startsWith(prefix)) {
              props.put(k.substring(prefix.length()), v);
            }
          });
    }
    return props;
  }

  private static Set<String> streamsOnly() {
    Set<String> names = new HashSet<>(StreamsConfig.configDef().names());
    names.removeAll(ProducerConfig.configNames());
    names.removeAll(ConsumerConfig.configNames());
    names.removeAll(AdminClientConfig.configNames());
    return Set.copyOf(names);
  }
}
