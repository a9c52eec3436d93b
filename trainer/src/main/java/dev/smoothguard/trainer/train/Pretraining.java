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
import dev.smoothguard.trainer.model.DmaeModel;
import dev.smoothguard.trainer.model.Init;
import dev.smoothguard.trainer.model.Patches;
import dev.smoothguard.trainer.model.VitConfig;
import dev.smoothguard.trainer.optim.AdamW;
import dev.smoothguard.trainer.optim.ParameterGroups;
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
 * DMAE pre-training: every image gets Gaussian noise (σ, in [0,1] pixel space), a random {@code
 * maskRatio} of its patches is hidden from the encoder, and the decoder reconstructs the clean
 * image. The loss is the mean squared error on all patches against per-patch normalised clean
 * targets (MAE's norm_pix_loss).
 */
public final class Pretraining {
  private static final Logger LOG = LoggerFactory.getLogger(Pretraining.class);
  public static final String MODEL_FILE = "dmae.params";
  public static final String ENCODER_FILE = "encoder.params";
  private static final int PICTURE_ROWS = 8;

  /** Everything a pre-training run is told on the command line. */
  public record Settings(
      String data,
      String config,
      double sigma,
      double maskRatio,
      int epochs,
      int batch,
      double learningRate,
      double warmupFraction,
      long seed,
      int maxImages,
      long maxSteps,
      double budgetMinutes,
      Path out,
      boolean resume,
      boolean augment,
      double clipGradNorm,
      String command,
      Recipe recipe,
      long stopAtStep) {}

  private Pretraining() {}

  public static RunMeta run(Settings s) throws IOException {
    long wallStart = System.nanoTime();
    RunMeta previous = s.resume() ? RunMeta.read(s.out()) : null;
    if (previous != null && !"pretrain".equals(previous.kind())) {
      throw new UserError(s.out() + " holds a " + previous.kind() + " run, not a pre-training");
    }
    if (previous == null && Files.exists(s.out().resolve(RunMeta.FILE))) {
      throw new UserError(s.out() + " already holds a run; use --resume or another --out");
    }
    VitConfig cfg = VitConfig.named(previous != null ? previous.config() : s.config());
    TrainingSet data = TrainingSet.open(s.data(), cfg, s.maxImages());
    Files.createDirectories(s.out());
    long spe = data.size() / s.batch();
    long total = s.maxSteps() > 0 ? Math.min(s.maxSteps(), spe * s.epochs()) : spe * s.epochs();
    RunMeta meta =
        previous != null
            ? previous
            : new RunMeta(
                "pretrain",
                cfg.name(),
                s.data(),
                data.classNames(),
                s.sigma(),
                s.maskRatio(),
                s.seed(),
                s.batch(),
                s.learningRate(),
                s.epochs(),
                spe,
                total,
                0,
                false,
                null,
                null,
                null,
                null,
                null,
                List.of(),
                List.of(),
                null,
                s.recipe());
    Recipe recipe = meta.recipeOrLegacy();
    LOG.info(
        "peak learning rate {}",
        new LearningRate(meta.learningRate(), recipe.baseLearningRate()).describe(meta.batch()));
    int keep = Math.max(1, (int) Math.round(cfg.numPatches() * (1 - meta.maskRatio())));
    List<LogPoint> history = new ArrayList<>(meta.history());
    List<TrainingStep> commands = new ArrayList<>(meta.commands());

    Engine.getInstance().setRandomSeed((int) meta.seed());
    try (NDManager manager = NDManager.newBaseManager()) {
      DmaeModel model = new DmaeModel(cfg);
      Init.named(recipe.init()).applyTo(model);
      model.initialize(
          manager,
          DataType.FLOAT32,
          new Shape(1, cfg.channels(), cfg.imageSize(), cfg.imageSize()),
          new Shape(1, keep),
          new Shape(1, cfg.numPatches()));
      if (previous != null) {
        Weights.load(model, s.out().resolve(MODEL_FILE), manager, true);
        LOG.info("resuming {} at step {} of {}", s.out(), meta.step(), meta.totalSteps());
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
      TrainLoop.StepFunction step =
          (sm, indices, rng) -> {
            Batch b = batch(data, cfg, indices, start.sigma(), keep, s.augment(), rng);
            NDArray pred =
                model.forward(new ParameterStore(sm, false), b.inputs(sm), true).singletonOrThrow();
            NDArray target =
                sm.create(b.targets(), new Shape(indices.length, cfg.numPatches(), cfg.patchDim()));
            return new TrainLoop.StepOutcome(
                pred.sub(target).square().mean(), null, indices.length);
          };
      double[] ips = {0};
      TrainLoop.Hooks hooks =
          new TrainLoop.Hooks() {
            @Override
            public void epochEnd(int epoch, long stepDone) {
              try {
                Charts.reconstructions(
                    s.out().resolve(String.format("recon-epoch%03d.png", epoch + 1)),
                    pictures(model, manager, data, cfg, start.sigma(), keep, start.seed()),
                    cfg.channels(),
                    cfg.imageSize());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }

            @Override
            public void save(
                long stepDone, boolean complete, List<LogPoint> hist, double imagesPerSecond) {
              ips[0] = imagesPerSecond;
              try {
                Weights.save(model, s.out().resolve(MODEL_FILE));
                Weights.save(model.encoder(), s.out().resolve(ENCODER_FILE));
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
                    null,
                    "DMAE pre-training (" + cfg.name() + ", σ=" + start.sigma() + ")",
                    imagesPerSecond);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
          };
      TrainLoop.Plan plan =
          TrainLoop.Plan.forRun(
              "pretrain",
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

  /** One step's host-side data: noisy images, mask indices and per-patch normalised targets. */
  record Batch(
      int size, VitConfig cfg, float[] noisy, long[] keep, long[] restore, float[] targets) {
    NDList inputs(NDManager m) {
      return new NDList(
          m.create(noisy, new Shape(size, cfg.channels(), cfg.imageSize(), cfg.imageSize())),
          m.create(keep, new Shape(size, keep.length / size)),
          m.create(restore, new Shape(size, cfg.numPatches())));
    }
  }

  static Batch batch(
      TrainingSet data,
      VitConfig cfg,
      int[] indices,
      double sigma,
      int keep,
      boolean augment,
      SplittableRandom rng) {
    int b = indices.length;
    int per = data.pixelsPerImage();
    int l = cfg.numPatches();
    int pd = cfg.patchDim();
    float[] clean = new float[b * per];
    long[] keepIdx = new long[b * keep];
    long[] restore = new long[b * l];
    float[] targets = new float[b * l * pd];
    for (int i = 0; i < b; i++) {
      float[] img = data.image(indices[i]);
      if (augment)
        Noise.cropFlip(img, cfg.channels(), cfg.imageSize(), 2, true, rng, clean, i * per);
      else System.arraycopy(img, 0, clean, i * per, per);
      float[] patches = Patches.patchify(Arrays.copyOfRange(clean, i * per, (i + 1) * per), cfg);
      normalisePatches(patches, l, pd);
      System.arraycopy(patches, 0, targets, i * l * pd, l * pd);
      int[] shuffle = Noise.permutation(l, rng);
      for (int j = 0; j < keep; j++) keepIdx[i * keep + j] = shuffle[j];
      for (int j = 0; j < l; j++) restore[i * l + shuffle[j]] = j;
    }
    float[] noisy = clean.clone();
    Noise.addGaussian(noisy, 0, noisy.length, sigma, rng);
    return new Batch(b, cfg, noisy, keepIdx, restore, targets);
  }

  /** In place: each patch to zero mean, unit variance (eps 1e-6), as MAE's norm_pix_loss. */
  static void normalisePatches(float[] patches, int l, int pd) {
    for (int p = 0; p < l; p++) {
      double mean = 0;
      for (int k = 0; k < pd; k++) mean += patches[p * pd + k];
      mean /= pd;
      double var = 0;
      for (int k = 0; k < pd; k++) var += Math.pow(patches[p * pd + k] - mean, 2);
      var /= pd - 1; // unbiased, as torch.var
      double sd = Math.sqrt(var + 1e-6);
      for (int k = 0; k < pd; k++)
        patches[p * pd + k] = (float) ((patches[p * pd + k] - mean) / sd);
    }
  }

  /** Rows of clean / noisy+masked / reconstructed for the first images, fixed noise and masks. */
  static List<float[][]> pictures(
      DmaeModel model,
      NDManager manager,
      TrainingSet data,
      VitConfig cfg,
      double sigma,
      int keep,
      long seed) {
    int n = Math.min(PICTURE_ROWS, data.size());
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) idx[i] = i;
    Batch b = batch(data, cfg, idx, sigma, keep, false, new SplittableRandom(seed));
    List<float[][]> rows = new ArrayList<>();
    try (NDManager sm = manager.newSubManager()) {
      float[] pred =
          model
              .forward(new ParameterStore(sm, false), b.inputs(sm), false)
              .singletonOrThrow()
              .toFloatArray();
      int per = data.pixelsPerImage();
      int l = cfg.numPatches();
      int pd = cfg.patchDim();
      for (int i = 0; i < n; i++) {
        float[] clean = data.image(i);
        float[] cleanPatches = Patches.patchify(clean, cfg);
        float[] noisyPatches =
            Patches.patchify(Arrays.copyOfRange(b.noisy(), i * per, (i + 1) * per), cfg);
        boolean[] visible = new boolean[l];
        for (int j = 0; j < keep; j++) visible[(int) b.keep()[i * keep + j]] = true;
        float[] recon = new float[l * pd];
        for (int p = 0; p < l; p++) {
          // undo the per-patch normalisation with the clean patch's statistics, as MAE's demo does
          double mean = 0, var = 0;
          for (int k = 0; k < pd; k++) mean += cleanPatches[p * pd + k];
          mean /= pd;
          for (int k = 0; k < pd; k++) var += Math.pow(cleanPatches[p * pd + k] - mean, 2);
          double sd = Math.sqrt(var / (pd - 1) + 1e-6);
          for (int k = 0; k < pd; k++) {
            recon[p * pd + k] = (float) (pred[(i * l + p) * pd + k] * sd + mean);
            if (!visible[p]) noisyPatches[p * pd + k] = 0.5f;
          }
        }
        rows.add(
            new float[][] {
              clean, Patches.unpatchify(noisyPatches, cfg), Patches.unpatchify(recon, cfg)
            });
      }
    }
    return rows;
  }
}
