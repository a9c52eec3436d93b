package dev.smoothguard.trainer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    subcommands = {PretrainCommand.class, FinetuneCommand.class, BenchCommand.class},
    description = "Train: pretrain (DMAE), finetune (noisy, consistency), bench (DJL vs engine).")
final class TrainCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "name a command: pretrain, finetune or bench");
  }
}
