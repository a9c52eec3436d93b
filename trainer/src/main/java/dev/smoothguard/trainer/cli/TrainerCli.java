package dev.smoothguard.trainer.cli;

import dev.smoothguard.smoothing.cli.common.BuildVersion;
import dev.smoothguard.smoothing.cli.common.CliPolicy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * Entry point of the trainer module: {@code train (pretrain|finetune|bench)} and {@code export}.
 */
@Command(
    name = "smoothguard",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersion.class,
    scope = ScopeType.INHERIT, // every subcommand's --version prints the build version too
    subcommands = {TrainCommand.class, ExportCommand.class},
    description = "DMAE pre-training, noisy fine-tuning, ONNX export.")
public final class TrainerCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: train or export");
  }

  public static void main(String[] args) throws InterruptedException {
    System.setProperty("java.awt.headless", "true");
    CliPolicy.main(new TrainerCli(), args);
  }

  /**
   * The command line under the CLI policy: a user error exits 2 with one line, a bug 1 with its
   * stack trace.
   */
  public static CommandLine commandLine() {
    return CliPolicy.commandLine(new TrainerCli());
  }

  /** The command as the user typed it, for the provenance recorded with a checkpoint. */
  static String invocation(CommandLine.Model.CommandSpec spec) {
    return "bin/smoothguard "
        + String.join(" ", spec.root().commandLine().getParseResult().originalArgs());
  }
}
