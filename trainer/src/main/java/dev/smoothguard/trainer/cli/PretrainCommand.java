package dev.smoothguard.trainer.cli;

import dev.smoothguard.trainer.train.LearningRate;
import dev.smoothguard.trainer.train.Pretraining;
import dev.smoothguard.trainer.train.Recipe;
import dev.smoothguard.trainer.train.RunMeta;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "pretrain",
    mixinStandardHelpOptions = true,
    description = "DMAE pre-training: noisy + masked images, reconstruct the clean image.")
final class PretrainCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin RunOptions run;

  @Option(
      names = "--data",
      required = true,
      description = "training data: idx:IMAGES[,LABELS], folder:DIR, cifar:FILES")
  String data;

  @Option(
      names = "--config",
      defaultValue = "tiny",
      description = "model config: tiny, vit-b16 (default ${DEFAULT-VALUE})")
  String config;

  @Option(
      names = "--sigma",
      defaultValue = "0.25",
      description = "Gaussian noise std in [0,1] pixel space (default ${DEFAULT-VALUE})")
  double sigma;

  @Option(
      names = "--mask-ratio",
      defaultValue = "0.75",
      description = "fraction of patches masked (default ${DEFAULT-VALUE})")
  double maskRatio;

  @Option(
      names = "--epochs",
      defaultValue = "10",
      description = "epochs (default ${DEFAULT-VALUE})")
  int epochs;

  @Option(
      names = "--batch",
      defaultValue = "256",
      description = "images per step (default ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--blr",
      defaultValue = "1.5e-4",
      description =
          "base learning rate per 256 images: the peak rate is blr × batch / 256 (default ${DEFAULT-VALUE}, as MAE/DMAE pre-training)")
  double blr;

  @Option(names = "--lr", description = "absolute peak learning rate; overrides --blr")
  Double lr;

  @Option(
      names = "--init",
      defaultValue = "mae",
      description =
          "initial weights: mae (Xavier-uniform Linear weights, as MAE) or djl (DJL's He-normal, as the first shipped models) (default ${DEFAULT-VALUE})")
  String init;

  @Option(
      names = "--min-lr",
      defaultValue = "0",
      description = "learning rate the cosine ends at (default ${DEFAULT-VALUE}, as MAE)")
  double minLr;

  @Override
  public Integer call() throws Exception {
    Checks.positive("--epochs", epochs);
    Checks.positive("--batch", batch);
    Checks.range("--mask-ratio", maskRatio, 0, 0.99);
    Checks.range("--sigma", sigma, 0, 10);
    LearningRate rate = LearningRate.of(lr, blr, batch);
    Recipe recipe =
        new Recipe(
            run.weightDecay, 0.9, Recipe.PRETRAIN_BETA2, rate.base(), minLr, 1, 0, 0, false, init);
    RunMeta meta =
        Pretraining.run(
            new Pretraining.Settings(
                data,
                config,
                sigma,
                maskRatio,
                epochs,
                batch,
                rate.peak(),
                run.warmup,
                run.seed,
                run.maxImages,
                run.maxSteps,
                run.budgetMinutes,
                run.out,
                run.resume,
                !run.noAugment,
                run.clipGrad,
                TrainerCli.invocation(spec),
                recipe,
                run.stopAtStep));
    System.out.printf(
        "pre-training: %d of %d steps (%.2f epochs), final loss %.4f, checkpoint %s%n",
        meta.step(),
        meta.totalSteps(),
        meta.epochsDone(),
        meta.history().isEmpty()
            ? Double.NaN
            : meta.history().get(meta.history().size() - 1).loss(),
        run.out);
    return 0;
  }
}
