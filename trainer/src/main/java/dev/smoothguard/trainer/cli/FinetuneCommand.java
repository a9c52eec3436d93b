package dev.smoothguard.trainer.cli;

import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.trainer.train.Finetuning;
import dev.smoothguard.trainer.train.LearningRate;
import dev.smoothguard.trainer.train.Recipe;
import dev.smoothguard.trainer.train.RunMeta;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "finetune",
    mixinStandardHelpOptions = true,
    description = "Noisy fine-tuning of the ViT classifier (consistency regularisation).")
final class FinetuneCommand implements Callable<Integer> {
  /** Fashion-MNIST's class names in label order (the IDX files carry none). */
  static final List<String> FASHION_MNIST =
      List.of(
          "t-shirt",
          "trouser",
          "pullover",
          "dress",
          "coat",
          "sandal",
          "shirt",
          "sneaker",
          "bag",
          "ankle-boot");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin RunOptions run;

  @Option(names = "--pretrained", description = "DMAE pre-training checkpoint directory")
  Path pretrained;

  @Option(names = "--from-scratch", description = "random initialisation instead of --pretrained")
  boolean fromScratch;

  @Option(
      names = "--config",
      defaultValue = "tiny",
      description = "model config with --from-scratch (default ${DEFAULT-VALUE})")
  String config;

  @Option(names = "--data", required = true, description = "labelled training data spec")
  String data;

  @Option(
      names = "--class-names",
      split = ",",
      description = "class names in label order, or 'fashion-mnist'")
  List<String> classNames;

  @Option(
      names = "--sigma",
      required = true,
      description = "Gaussian noise std in [0,1] pixel space")
  double sigma;

  @Option(
      names = "--epochs",
      defaultValue = "10",
      description = "epochs (default ${DEFAULT-VALUE})")
  int epochs;

  @Option(
      names = "--batch",
      defaultValue = "128",
      description = "images per step, each in --copies noisy copies (default ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--blr",
      defaultValue = "5e-4",
      description =
          "base learning rate per 256 images: the peak rate is blr × batch / 256 (default ${DEFAULT-VALUE}, as DMAE's ViT-B fine-tuning)")
  double blr;

  @Option(names = "--lr", description = "absolute peak learning rate; overrides --blr")
  Double lr;

  @Option(
      names = "--consistency-lambda",
      defaultValue = "2",
      description = "λ, KL weight; 0 = off (default ${DEFAULT-VALUE})")
  double lambda;

  @Option(
      names = "--consistency-eta",
      defaultValue = "0.5",
      description = "η, entropy weight (default ${DEFAULT-VALUE})")
  double eta;

  @Option(
      names = "--copies",
      defaultValue = "2",
      description = "noisy copies per image, m (default ${DEFAULT-VALUE})")
  int copies;

  @Option(names = "--eval-data", description = "held-out data for accuracy after each epoch")
  String evalData;

  @Option(
      names = "--eval-max",
      defaultValue = "1000",
      description = "held-out images used (default ${DEFAULT-VALUE})")
  int evalMax;

  @Option(
      names = "--layer-decay",
      defaultValue = "0.65",
      description =
          "layer-wise lr decay: block i of d learns at decay^(d-i) of the rate, the embedding at decay^(d+1), the head at the full rate; 1 = off (default ${DEFAULT-VALUE}, as DMAE's ViT-B fine-tuning)")
  double layerDecay;

  @Option(
      names = "--drop-path",
      defaultValue = "0.1",
      description =
          "stochastic depth of the last block, rising linearly from 0 at the first; training only (default ${DEFAULT-VALUE}, as the reference)")
  double dropPath;

  @Option(
      names = "--label-smoothing",
      defaultValue = "0.1",
      description =
          "label smoothing of the cross-entropy term; the consistency terms are unchanged (default ${DEFAULT-VALUE}, as the reference)")
  double labelSmoothing;

  @Option(
      names = "--global-pool",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "classify the mean of the patch tokens after fc_norm (the reference default); --no-global-pool: the class token after the encoder's final norm, as the models shipped before (default ${DEFAULT-VALUE})")
  boolean globalPool;

  @Option(
      names = "--init",
      defaultValue = "mae",
      description =
          "initial weights: mae (Xavier-uniform Linear weights, head N(0, 2e-5), as MAE) or djl (DJL's He-normal, as the first shipped models) (default ${DEFAULT-VALUE})")
  String init;

  @Option(
      names = "--min-lr",
      defaultValue = "1e-6",
      description = "learning rate the cosine ends at (default ${DEFAULT-VALUE}, as the reference)")
  double minLr;

  @Override
  public Integer call() throws Exception {
    if (!run.resume && (pretrained == null) == !fromScratch) {
      throw new UserError("give exactly one of --pretrained DIR or --from-scratch");
    }
    Checks.positive("--epochs", epochs);
    Checks.positive("--batch", batch);
    Checks.positive("--copies", copies);
    Checks.range("--sigma", sigma, 0, 10);
    Checks.range("--consistency-lambda", lambda, 0, 1000);
    Checks.range("--consistency-eta", eta, 0, 1000);
    LearningRate rate = LearningRate.of(lr, blr, batch);
    Recipe recipe =
        new Recipe(
            run.weightDecay,
            0.9,
            Recipe.FINETUNE_BETA2,
            rate.base(),
            minLr,
            layerDecay,
            dropPath,
            labelSmoothing,
            globalPool,
            init);
    List<String> names =
        classNames != null && classNames.size() == 1 && "fashion-mnist".equals(classNames.get(0))
            ? FASHION_MNIST
            : classNames;
    RunMeta meta =
        Finetuning.run(
            new Finetuning.Settings(
                pretrained,
                fromScratch,
                config,
                data,
                names,
                sigma,
                epochs,
                batch,
                rate.peak(),
                run.warmup,
                lambda,
                eta,
                copies,
                run.seed,
                run.maxImages,
                run.maxSteps,
                run.budgetMinutes,
                evalData,
                evalMax,
                run.out,
                run.resume,
                !run.noAugment,
                run.clipGrad,
                TrainerCli.invocation(spec),
                recipe,
                run.stopAtStep));
    System.out.printf(
        "fine-tuning: %d of %d steps (%.2f epochs), checkpoint %s%n",
        meta.step(), meta.totalSteps(), meta.epochsDone(), run.out);
    if (meta.evals() != null && !meta.evals().isEmpty()) {
      var e = meta.evals().get(meta.evals().size() - 1);
      System.out.printf(
          "held-out accuracy (%d images): %.4f clean, %.4f at sigma=%s%n",
          e.images(), e.cleanAccuracy(), e.noisyAccuracy(), meta.sigma());
    }
    return 0;
  }
}
