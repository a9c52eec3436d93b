package dev.smoothguard.auditor.config;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Which Kafka pass-through settings hold secrets, so the start-up dump never prints them: any
 * setting Kafka itself types as a password ({@code ssl.keystore.key}, {@code sasl.jaas.config},
 * ...), with or without a Streams client prefix, and any name that looks secret ({@code *.key},
 * password, secret, jaas, token, credentials), for settings of plugins Kafka does not know.
 */
final class SensitiveKeys {
  private static final List<String> SECRET_WORDS =
      List.of("password", "secret", "jaas", "token", "credential");
  private static final Set<String> KAFKA_PASSWORDS = kafkaPasswords();

  private SensitiveKeys() {}

  /** Whether a Kafka setting (without the {@code kafka.} prefix) must be masked. */
  static boolean isSensitive(String kafkaSetting) {
    String s = kafkaSetting.toLowerCase(Locale.ROOT);
    if (s.endsWith(".key") || SECRET_WORDS.stream().anyMatch(s::contains)) {
      return true;
    }
    return KAFKA_PASSWORDS.contains(KafkaClientSettings.withoutClientPrefix(s));
  }

  private static Set<String> kafkaPasswords() {
    Set<String> names = new HashSet<>();
    for (ConfigDef def :
        List.of(
            StreamsConfig.configDef(),
            ProducerConfig.configDef(),
            ConsumerConfig.configDef(),
            AdminClientConfig.configDef())) {
      def.configKeys().values().stream()
          .filter(k -> k.type == ConfigDef.Type.PASSWORD)
          .forEach(k -> names.add(k.name));
    }
    return Set.copyOf(names);
  }
}
