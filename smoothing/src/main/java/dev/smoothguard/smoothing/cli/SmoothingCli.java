package dev.smoothguard.smoothing.cli;

import dev.smoothguard.smoothing.cli.common.BuildVersion;
import dev.smoothguard.smoothing.cli.common.CliPolicy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/** bin/smoothguard certify | predict | bench | plot | compare. */
@Command(
    name = "smoothguard",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersion.class,
    scope = ScopeType.INHERIT, // every subcommand's --version prints the build version too
    description = "Randomized-smoothing certification of ONNX image classifiers.",
    subcommands = {
      CertifyCommand.class,
      PredictCommand.class,
      BenchCommand.class,
      PlotCommand.class,
      CompareCommand.class
    })
public final class SmoothingCli {
  public static void main(String[] args) throws InterruptedException {
    CliPolicy.main(new SmoothingCli(), args);
  }

  /** Runs a command line under the CLI policy: 0 ok, 2 user error (one line on stderr), 1 bug. */
  public static int run(String... args) {
    return CliPolicy.execute(new SmoothingCli(), args);
  }

  /** The command line under the CLI policy (tests add commands to it). */
  public static CommandLine commandLine() {
    return CliPolicy.commandLine(new SmoothingCli());
  }
}
