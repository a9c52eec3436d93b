package dev.smoothguard.trainer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the trainer module: {@code train (pretrain|finetune|bench)} and {@code export}. */
@Command(name = "smoothguard", mixinStandardHelpOptions = true,
    subcommands = {TrainCommand.class, ExportCommand.class},
    description = "DMAE pre-training, noisy fine-tuning, ONNX export.")
public final class TrainerCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: train or export");
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(commandLine().execute(args));
  }

  /** The configured command line: user errors end with exit code 2 and one line on stderr. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new TrainerCli());
    cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
      if (UserErrors.isUserError(ex)) {
        line.getErr().println("smoothguard: " + ex.getMessage());
        return 2;
      }
      throw ex;
    });
    cl.setExitCodeExceptionMapper(ex -> UserErrors.isUserError(ex) ? 2 : 1);
    return cl;
  }

  /** The command as the user typed it, for the provenance recorded with a checkpoint. */
  static String invocation(CommandLine.Model.CommandSpec spec) {
    return "bin/smoothguard " + String.join(" ",
        spec.root().commandLine().getParseResult().originalArgs());
  }
}
