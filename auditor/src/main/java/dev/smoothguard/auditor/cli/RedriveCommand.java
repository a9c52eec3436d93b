package dev.smoothguard.auditor.cli;

import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.config.KafkaClientSettings;
import dev.smoothguard.auditor.redrive.RedriveFilter;
import dev.smoothguard.auditor.redrive.RedriveReport;
import dev.smoothguard.auditor.redrive.Redriver;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.v1.FailureReason;
import dev.smoothguard.smoothing.errors.UserError;
import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "redrive",
    mixinStandardHelpOptions = true,
    description = {
      "Send dead letters back: the original bytes of the AuditFailure records of the dead-letter topic "
          + "(read_committed, up to its end when the command starts), filtered by reason and time, to the input topic.",
      "Each record keeps its original key and gets the header smoothguard.redrive=DLQ_TOPIC/PARTITION/OFFSET. "
          + "Dead letters without a complete original (tombstones, truncated originals) are skipped. "
          + "Prints what it sent and skipped per reason.",
      "Registry and Kafka settings as for audit: --config FILE and SMOOTHGUARD_* variables; the flags win."
    })
final class RedriveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ClientOptions client;

  @Option(
      names = "--dlq-topic",
      paramLabel = "TOPIC",
      description = "dead-letter topic (default: topic.dlq of the config, audit-dlq)")
  String dlqTopic;

  @Option(
      names = "--to-topic",
      paramLabel = "TOPIC",
      description = "where to send (default: topic.images of the config, images)")
  String toTopic;

  @Option(
      names = "--reason",
      paramLabel = "REASON",
      description =
          "only dead letters with this reason (repeatable; default: every reason): ${COMPLETION-CANDIDATES}",
      completionCandidates = Reasons.class)
  List<String> reasons = new ArrayList<>();

  @Option(
      names = "--from",
      paramLabel = "INSTANT",
      description =
          "only dead letters that failed at or after this ISO-8601 instant (e.g. 2026-11-29T10:00:00Z)")
  String from;

  @Option(
      names = "--to",
      paramLabel = "INSTANT",
      description = "only dead letters that failed before this ISO-8601 instant")
  String to;

  @Option(names = "--dry-run", description = "count what would be sent, send nothing")
  boolean dryRun;

  /** The reasons a dead letter can have, for the help. */
  static final class Reasons extends ArrayList<String> {
    Reasons() {
      for (FailureReason r : FailureReason.values()) {
        if (r != FailureReason.UNKNOWN) add(r.name());
      }
    }
  }

  @Override
  public Integer call() {
    Optional<Instant> start = instant("--from", from);
    Optional<Instant> end = instant("--to", to);
    if (start.isPresent() && end.isPresent() && !start.get().isBefore(end.get())) {
      throw new ParameterException(
          spec.commandLine(), "--from " + from + " is not before --to " + to);
    }
    RedriveFilter filter = new RedriveFilter(parseReasons(), start, end);
    AuditorConfig config = client.load();
    String dlq = dlqTopic != null ? dlqTopic : config.topics().dlq();
    String target = toTopic != null ? toTopic : config.topics().images();
    PrintStream out = new PrintStream(System.out, true);
    RedriveReport report;
    try (Redriver redriver = newRedriver(config)) {
      report = redriver.run(dlq, target, filter, dryRun);
    }
    out.println("redrive " + dlq + " -> " + target + (dryRun ? " (dry run)" : "") + ":");
    report.print(out);
    return 0;
  }

  private static Redriver newRedriver(AuditorConfig config) {
    try {
      return new Redriver(
          KafkaClientSettings.consumer(config.kafka()),
          KafkaClientSettings.producer(config.kafka()),
          new RegistryClient(config.registry()));
    } catch (ConfigException e) {
      throw new UserError(
          "Kafka client settings (kafka.*, --bootstrap-servers, -X): " + e.getMessage(), e);
    }
  }

  private Set<FailureReason> parseReasons() {
    Set<FailureReason> set = EnumSet.noneOf(FailureReason.class);
    for (String r : reasons) {
      try {
        set.add(FailureReason.valueOf(r.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            spec.commandLine(),
            "--reason: unknown reason '" + r + "' (one of " + new Reasons() + ")");
      }
    }
    return set;
  }

  private Optional<Instant> instant(String flag, String value) {
    if (value == null) return Optional.empty();
    try {
      return Optional.of(Instant.parse(value.trim()));
    } catch (DateTimeParseException e) {
      throw new ParameterException(
          spec.commandLine(),
          flag + ": not an ISO-8601 instant: '" + value + "' (e.g. 2026-11-29T10:00:00Z)");
    }
  }
}
