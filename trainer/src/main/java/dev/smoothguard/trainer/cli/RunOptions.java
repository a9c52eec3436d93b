package dev.smoothguard.trainer.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every training run shares: where it goes, how long it runs, how it repeats. */
final class RunOptions {
  @Option(
      names = "--warmup",
      defaultValue = "0.05",
      description = "warm-up fraction of the run (default ${DEFAULT-VALUE})")
  double warmup;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "seed for init, data order, noise, masks (default ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--max-images",
      defaultValue = "0",
      description = "use only the first N training images (0 = all)")
  int maxImages;

  @Option(
      names = "--max-steps",
      defaultValue = "0",
      description = "stop after this many steps in all (0 = epochs decide)")
  long maxSteps;

  @Option(
      names = "--time-budget",
      defaultValue = "0",
      description =
          "minutes; the LR schedule ends and a checkpoint is written when it runs out (0 = none)")
  double budgetMinutes;

  @Option(names = "--no-augment", description = "no random crop/flip")
  boolean noAugment;

  @Option(
      names = "--clip-grad",
      defaultValue = "0",
      description =
          "clip the gradients' global L2 norm to this (0 = off; non-finite steps are always skipped)")
  double clipGrad;

  @Option(
      names = "--stop-at-step",
      defaultValue = "0",
      description =
          "write a checkpoint and stop after this step without changing the run's plan; continue with --resume (0 = run to the end)")
  long stopAtStep;

  @Option(
      names = "--weight-decay",
      defaultValue = "0.05",
      description =
          "AdamW's decoupled weight decay; biases, norms, tokens and positions take none (default ${DEFAULT-VALUE}, as MAE/DMAE)")
  double weightDecay;

  @Option(names = "--resume", description = "continue the run in --out from its last checkpoint")
  boolean resume;

  @Option(names = "--out", required = true, description = "checkpoint directory")
  Path out;
}
