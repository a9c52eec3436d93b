package dev.smoothguard.docker;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The broker configuration the official {@code apache/kafka} image derives from its environment:
 * every {@code KAFKA_*} variable except the JVM/launcher ones becomes a server property, with
 * {@code ___} -> '-', {@code __} -> '_', {@code _} -> '.', lower-cased (the image's documented
 * rule).
 */
final class KafkaService {
  /** Variables the image's launcher reads itself; they are not server properties. */
  private static final Set<String> LAUNCHER_VARIABLES =
      Set.of(
          "KAFKA_HEAP_OPTS",
          "KAFKA_OPTS",
          "KAFKA_JVM_PERFORMANCE_OPTS",
          "KAFKA_GC_LOG_OPTS",
          "KAFKA_LOG4J_OPTS",
          "KAFKA_LOG4J_ROOT_LOGLEVEL",
          "KAFKA_LOG4J_LOGGERS",
          "KAFKA_TOOLS_LOG4J_LOGLEVEL",
          "KAFKA_JMX_OPTS",
          "KAFKA_JMX_PORT",
          "KAFKA_JMX_HOSTNAME",
          "KAFKA_DEBUG");

  private KafkaService() {}

  static Properties serverProperties(Map<String, String> environment) {
    Properties props = new Properties();
    environment.forEach(
        (name, value) -> {
          if (name.startsWith("KAFKA_") && !LAUNCHER_VARIABLES.contains(name)) {
            props.setProperty(propertyName(name), value);
          }
        });
    return props;
  }

  static String propertyName(String variable) {
    String rest = variable.substring("KAFKA_".length());
    // placeholders keep the three rules from running into each other
    return rest.replace("___", "\u0001")
        .replace("__", "\u0002")
        .replace('_', '.')
        .replace('\u0001', '-')
        .replace('\u0002', '_')
        .toLowerCase(Locale.ROOT);
  }

  /**
   * host:port of the listener brokers use among themselves, which is the one other containers
   * reach.
   */
  static String internalAddress(ComposeFile compose) {
    Properties props = serverProperties(ComposeFile.environment(compose.service("kafka")));
    String listener = props.getProperty("inter.broker.listener.name");
    for (String entry : props.getProperty("advertised.listeners").split(",")) {
      String[] nameAndAddress = entry.trim().split("://", 2);
      if (nameAndAddress[0].equals(listener)) {
        return nameAndAddress[1];
      }
    }
    throw new AssertionError(
        "no advertised listener named "
            + listener
            + " in "
            + props.getProperty("advertised.listeners"));
  }
}
