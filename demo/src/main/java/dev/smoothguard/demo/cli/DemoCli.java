package dev.smoothguard.demo.cli;

import dev.smoothguard.smoothing.cli.common.BuildVersion;
import dev.smoothguard.smoothing.cli.common.CliPolicy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/** {@code bin/smoothguard demo|bench-stream}: the auditor on the embedded dev stack. */
@Command(
    name = "smoothguard",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersion.class,
    scope = ScopeType.INHERIT, // every subcommand's --version prints the build version too
    description =
        "smoothguard on the embedded dev stack (KRaft broker + schema registry in one process)",
    subcommands = {DemoCommand.class, BenchStreamCommand.class})
public final class DemoCli {
  public static void main(String[] args) throws InterruptedException {
    CliPolicy.main(new DemoCli(), args);
  }

  /** Runs a command line under the CLI policy: 0 ok, 2 user error (one line on stderr), 1 bug. */
  public static int execute(String... args) {
    return CliPolicy.execute(new DemoCli(), args);
  }

  /** The command line under the CLI policy (tests add commands to it). */
  public static CommandLine commandLine() {
    return CliPolicy.commandLine(new DemoCli());
  }
}
