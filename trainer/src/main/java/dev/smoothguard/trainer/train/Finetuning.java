package dev.smoothguard.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.smoothing.model.ModelCard.TrainingStep;
import dev.smoothguard.trainer.model.Init;
import dev.smoothguard.trainer.model.VitClassifier;
import dev.smoothguard.trainer.model.VitConfig;
import dev.smoothguard.trainer.optim.AdamW;
import dev.smoothguard.trainer.optim.ParameterGroups;
import dev.smoothguard.trainer.train.RunMeta.EvalPoint;
import dev.smoothguard.trainer.train.RunMeta.LogPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Noisy fine-tuning of the ViT classifier for randomized smoothing: every step draws fresh Gaussian
 * noise for {@code copies} copies of each (augmented) image and minimises consistency regularised
 * cross-entropy (Jeong &amp; Shin 2020): {@code CE + λ·mean_i KL(avg ‖ softmax_i) + η·H(avg)}, avg
 * = mean of the copies' softmax. λ = η = 0 with one copy is plain Gaussian data augmentation (Cohen
 * et al.).
 */
public final class Finetuning {
  private static final Logger LOG = LoggerFactory.getLogger(Finetuning.class);
  public static final String MODEL_FILE = "classifier.params";
  private static final int EVAL_BATCH = 250;

  /** Everything a fine-tuning run is told on the command line. */
  public record Settings(
      Path pretrained,
      boolean fromScratch,
      String config,
      String data,
      List<String> classNames,
      double sigma,
      int epochs,
      int batch,
      double learningRate,
      double warmupFraction,
      double lambda,
      double eta,
      int copies,
      long seed,
      int maxImages,
      long maxSteps,
      double budgetMinutes,
      String evalData,
      int evalMax,
      Path out,
      boolean resume,
      boolean augment,
      double clipGradNorm,
      String command,
      Recipe recipe,
      long stopAtStep) {}

  private Finetuning() {}

  public static RunMeta run(Settings s) throws IOException {
    long wallStart = System.nanoTime();
    RunMeta previous = s.resume() ? RunMeta.read(s.out()) : null;
    if (previous != null && !"finetune".equals(previous.kind())) {
      throw new UserError(s.out() + " holds a " + previous.kind() + " run, not a fine-tuning");
    }
    if (previous == null && Files.exists(s.out().resolve(RunMeta.FILE))) {
      throw new UserError(s.out() + " already holds a run; use --resume or another --out");
    }
    RunMeta upstream =
        previous != null
            ? previous.upstream()
            : s.fromScratch() ? null : RunMeta.read(s.pretrained());
    if (upstream != null && !"pretrain".equals(upstream.kind())) {
      throw new UserError(s.pretrained() + " is not a pre-training checkpoint");
    }
    String configName =
        previous != null ? previous.config() : upstream != null ? upstream.config() : s.config();
    VitConfig cfg = VitConfig.named(configName);
    TrainingSet data = TrainingSet.open(s.data(), cfg, s.maxImages());
    int k = data.checkLabels();
    List<String> names =
        previous != null
            ? previous.classNames()
            : s.classNames() != null ? s.classNames() : data.classNames();
    if (names.size() != k) {
      throw new UserError(names.size() + " class names for " + k + " classes in " + s.data());
    }
    TrainingSet eval =
        s.evalData() == null ? null : TrainingSet.open(s.evalData(), cfg, s.evalMax());
    Files.createDirectories(s.out());
    long spe = data.size() / s.batch();
    long total = s.maxSteps() > 0 ? Math.min(s.maxSteps(), spe * s.epochs()) : spe * s.epochs();
    RunMeta meta =
        previous != null
            ? previous
            : new RunMeta(
                "finetune",
                cfg.name(),
                s.data(),
                names,
                s.sigma(),
                null,
                s.seed(),
                s.batch(),
                s.learningRate(),
                s.epochs(),
                spe,
                total,
                0,
                false,
                s.fromScratch(),
                s.lambda(),
                s.eta(),
                s.copies(),
                upstream,
                List.of(),
                List.of(),
                List.of(),
                s.recipe());
    Recipe recipe = meta.recipeOrLegacy();
    LOG.info(
        "peak learning rate {}",
        new LearningRate(meta.learningRate(), recipe.baseLearningRate()).describe(meta.batch()));
    List<LogPoint> history = new ArrayList<>(meta.history());
    List<EvalPoint> evals = new ArrayList<>(meta.evals() == null ? List.of() : meta.evals());
    List<TrainingStep> commands = new ArrayList<>(meta.commands());

    Engine.getInstance().setRandomSeed((int) meta.seed());
    try (NDManager manager = NDManager.newBaseManager()) {
      VitClassifier model =
          new VitClassifier(cfg, names.size(), recipe.dropPath(), recipe.globalPool());
      Init.named(recipe.init()).applyTo(model);
      model.initialize(
          manager,
          DataType.FLOAT32,
          new Shape(1, cfg.channels(), cfg.imageSize(), cfg.imageSize()));
      if (previous != null) {
        Weights.load(model, s.out().resolve(MODEL_FILE), manager, true);
        LOG.info("resuming {} at step {} of {}", s.out(), meta.step(), meta.totalSteps());
      } else if (upstream != null) {
        Weights.load(
            model.encoder(), s.pretrained().resolve(Pretraining.ENCODER_FILE), manager, true);
        LOG.info("encoder initialised from the DMAE pre-training in {}", s.pretrained());
      }
      List<Pair<String, Parameter>> trainable = Checkpoint.trainable(model);
      ScheduledRate rate = new ScheduledRate();
      AdamW adamw =
          AdamW.builder()
              .learningRate(rate)
              .betas(recipe.beta1(), recipe.beta2())
              .groups(
                  Checkpoint.logGroups(
                      ParameterGroups.forVit(
                          trainable, cfg.depth(), recipe.weightDecay(), recipe.layerDecay())))
              .build();
      if (previous != null) Checkpoint.restoreOptimizer(adamw, s.out(), manager);
      RunMeta start = meta;
      int copies = meta.copies();
      double lambda = meta.consistencyLambda();
      double eta = meta.consistencyEta();
      TrainLoop.StepFunction step =
          (sm, indices, rng) -> {
            int b = indices.length;
            int per = data.pixelsPerImage();
            float[] clean = new float[b * per];
            long[] labels = new long[b];
            for (int i = 0; i < b; i++) {
              float[] img = data.image(indices[i]);
              if (s.augment())
                Noise.cropFlip(img, cfg.channels(), cfg.imageSize(), 2, true, rng, clean, i * per);
              else System.arraycopy(img, 0, clean, i * per, per);
              labels[i] = data.labels()[indices[i]];
            }
            // copy-major: rows [c*b, (c+1)*b) are copy c of the batch, each with its own noise
            float[] noisy = new float[copies * b * per];
            for (int c = 0; c < copies; c++)
              System.arraycopy(clean, 0, noisy, c * b * per, b * per);
            Noise.addGaussian(noisy, 0, noisy.length, start.sigma(), rng);
            NDArray x =
                sm.create(
                    noisy,
                    new Shape((long) copies * b, cfg.channels(), cfg.imageSize(), cfg.imageSize()));
            NDArray logits =
                model
                    .forward(new ParameterStore(sm, false), new NDList(x), true)
                    .singletonOrThrow();
            NDArray y = sm.create(labels);
            NDArray loss =
                ConsistencyLoss.of(
                    logits.reshape(copies, b, names.size()),
                    y,
                    lambda,
                    eta,
                    recipe.labelSmoothing());
            NDArray correct =
                logits.argMax(1).eq(y.tile(copies)).toType(DataType.INT32, false).sum();
            return new TrainLoop.StepOutcome(loss, correct, copies * b);
          };
      double[] ips = {0};
      TrainLoop.Hooks hooks =
          new TrainLoop.Hooks() {
            @Override
            public void epochEnd(int epoch, long stepDone) {
              if (eval == null) return;
              EvalPoint p =
                  evaluate(
                      model,
                      manager,
                      eval,
                      cfg,
                      start.sigma(),
                      (double) stepDone / start.stepsPerEpoch(),
                      start.seed());
              evals.add(p);
              LOG.info(
                  "epoch {}: held-out accuracy {} clean, {} at σ={} ({} images)",
                  epoch + 1,
                  String.format("%.4f", p.cleanAccuracy()),
                  String.format("%.4f", p.noisyAccuracy()),
                  start.sigma(),
                  p.images());
            }

            @Override
            public void save(
                long stepDone, boolean complete, List<LogPoint> hist, double imagesPerSecond) {
              ips[0] = imagesPerSecond;
              try {
                Weights.save(model, s.out().resolve(MODEL_FILE));
                adamw.save(s.out().resolve(Checkpoint.OPTIMIZER_FILE));
                Checkpoint.record(
                    s.out(),
                    start,
                    commands,
                    s.command(),
                    wallStart,
                    stepDone,
                    complete,
                    hist,
                    evals,
                    "fine-tuning ("
                        + cfg.name()
                        + ", σ="
                        + start.sigma()
                        + (start.upstream() == null ? ", from scratch" : ", DMAE")
                        + ")",
                    imagesPerSecond);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
          };
      TrainLoop.Plan plan =
          TrainLoop.Plan.forRun(
              "finetune",
              data.size(),
              meta,
              recipe.minLearningRate(),
              s.budgetMinutes(),
              s.warmupFraction(),
              s.clipGradNorm(),
              s.stopAtStep());
      TrainLoop.run(plan, trainable, manager, adamw, rate, history, step, hooks);
      return RunMeta.read(s.out());
    }
  }

  /** The fine-tuned classifier of a checkpoint directory, ready for inference. */
  public static VitClassifier load(Path dir, RunMeta meta, NDManager manager) throws IOException {
    if (!"finetune".equals(meta.kind())) {
      throw new UserError(dir + " holds a " + meta.kind() + " run, not a fine-tuned classifier");
    }
    VitConfig cfg = VitConfig.named(meta.config());
    VitClassifier model =
        new VitClassifier(cfg, meta.classNames().size(), 0, meta.recipeOrLegacy().globalPool());
    model.initialize(
        manager, DataType.FLOAT32, new Shape(1, cfg.channels(), cfg.imageSize(), cfg.imageSize()));
    Weights.load(model, dir.resolve(MODEL_FILE), manager, false);
    return model;
  }

  /** Accuracy on the held-out images, clean and with one fixed draw of noise. */
  static EvalPoint evaluate(
      VitClassifier model,
      NDManager manager,
      TrainingSet eval,
      VitConfig cfg,
      double sigma,
      double epoch,
      long seed) {
    int per = eval.pixelsPerImage();
    long cleanOk = 0, noisyOk = 0;
    SplittableRandom rng = new SplittableRandom(seed ^ 0x5eed);
    for (int from = 0; from < eval.size(); from += EVAL_BATCH) {
      int n = Math.min(EVAL_BATCH, eval.size() - from);
      float[] x = Arrays.copyOfRange(eval.pixels(), from * per, (from + n) * per);
      float[] noisy = x.clone();
      Noise.addGaussian(noisy, 0, noisy.length, sigma, rng);
      int[] clean = predict(model, manager, x, n, cfg);
      int[] withNoise = predict(model, manager, noisy, n, cfg);
      for (int i = 0; i < n; i++) {
        if (clean[i] == eval.labels()[from + i]) cleanOk++;
        if (withNoise[i] == eval.labels()[from + i]) noisyOk++;
      }
    }
    return new EvalPoint(
        epoch, eval.size(), (double) cleanOk / eval.size(), (double) noisyOk / eval.size());
  }

  static int[] predict(VitClassifier model, NDManager manager, float[] x, int n, VitConfig cfg) {
    try (NDManager sm = manager.newSubManager()) {
      NDArray in = sm.create(x, new Shape(n, cfg.channels(), cfg.imageSize(), cfg.imageSize()));
      NDArray logits =
          model.forward(new ParameterStore(sm, false), new NDList(in), false).singletonOrThrow();
      long[] arg = logits.argMax(1).toLongArray();
      int[] out = new int[n];
      for (int i = 0; i < n; i++) out[i] = (int) arg[i];
      return out;
    }
  }
}
