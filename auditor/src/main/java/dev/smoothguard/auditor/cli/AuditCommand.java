package dev.smoothguard.auditor.cli;

import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.stream.AuditService;
import dev.smoothguard.smoothing.errors.UserError;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "Run the Kafka Streams auditor until SIGTERM/Ctrl-C.",
      "Configuration: a properties file; every key can be overridden by SMOOTHGUARD_<KEY> "
          + "(upper-case, '.' -> '_'); Kafka settings take the prefix kafka. (README: auditor)."
    })
final class AuditCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "auditor.properties (optional when the environment sets everything)")
  Path config;

  @Override
  public Integer call() throws Exception {
    AuditorConfig cfg = AuditorConfig.load(config, System.getenv());
    AuditService service;
    try {
      service = AuditService.start(cfg);
    } catch (ConfigException e) {
      // Kafka validates the kafka.* settings only when its clients are built
      throw new UserError("kafka settings: " + e.getMessage(), e);
    }
    CountDownLatch closed = new CountDownLatch(1);
    // SIGTERM / Ctrl-C: close gracefully (the open transaction commits or aborts), then exit
    Thread hook =
        new Thread(
            () -> {
              service.close();
              closed.countDown();
            },
            "auditor-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    service.awaitStopped();
    if (service.state() == KafkaStreams.State.ERROR) {
      System.err.println("smoothguard audit: the stream stopped on an error (see the log)");
      service.close();
      return 1;
    }
    closed.await();
    return 0;
  }
}
