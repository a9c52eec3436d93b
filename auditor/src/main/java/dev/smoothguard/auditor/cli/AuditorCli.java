package dev.smoothguard.auditor.cli;

import dev.smoothguard.smoothing.cli.common.BuildVersion;
import dev.smoothguard.smoothing.cli.common.CliPolicy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * {@code bin/smoothguard audit|replay|redrive} (demo and bench-stream: the demo module's DemoCli).
 */
@Command(
    name = "smoothguard",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersion.class,
    scope = ScopeType.INHERIT, // every subcommand's --version prints the build version too
    description = "smoothguard auditor: certify every image of a Kafka topic",
    subcommands = {AuditCommand.class, ReplayCommand.class, RedriveCommand.class})
public final class AuditorCli {
  public static void main(String[] args) throws InterruptedException {
    CliPolicy.main(new AuditorCli(), args);
  }

  /** Runs a command line under the CLI policy: 0 ok, 2 user error (one line on stderr), 1 bug. */
  public static int execute(String... args) {
    return CliPolicy.execute(new AuditorCli(), args);
  }

  /** The command line under the CLI policy (tests add commands to it). */
  public static CommandLine commandLine() {
    return CliPolicy.commandLine(new AuditorCli());
  }
}
