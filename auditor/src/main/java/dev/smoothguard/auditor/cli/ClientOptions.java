package dev.smoothguard.auditor.cli;

import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.config.ConfigException;
import dev.smoothguard.auditor.config.SettingsSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The registry and Kafka settings of the commands that talk to the service's topics ({@code
 * replay}, {@code redrive}): the service's own configuration (a properties file with the same keys,
 * and the SMOOTHGUARD_* environment), with flags for the common ones on top.
 */
final class ClientOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "properties with the service's keys (registry.url, registry.auth.*, registry.ssl.*, kafka.*, topic.*)")
  Path config;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      description = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Option(
      names = "--registry-url",
      paramLabel = "URL",
      description = "registry.url: schema registry (Confluent API)")
  String registryUrl;

  @Option(
      names = "-X",
      paramLabel = "KEY=VALUE",
      description = "extra Kafka client setting (security.protocol=SASL_SSL, ...), as kafka.KEY")
  Map<String, String> kafka = new LinkedHashMap<>();

  /** The validated configuration: file, then environment, then these flags. */
  AuditorConfig load() {
    Map<String, String> flags = new LinkedHashMap<>();
    kafka.forEach((k, v) -> flags.put(AuditorConfig.KAFKA_PREFIX + k, v));
    if (bootstrapServers != null) flags.put("kafka.bootstrap.servers", bootstrapServers);
    if (registryUrl != null) flags.put("registry.url", registryUrl);
    try {
      return AuditorConfig.from(SettingsSource.readFile(config), System.getenv(), flags);
    } catch (ConfigException e) {
      List<String> problems = new ArrayList<>(e.problems());
      problems.add(
          "(flags: --bootstrap-servers, --registry-url, -X KEY=VALUE; or --config FILE with the service's keys)");
      throw new ConfigException(problems);
    }
  }
}
