package dev.smoothguard.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.trainer.train.RunMeta.LogPoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared training loop: shuffled epochs, one optimiser step per batch (AdamW with the warm-up +
 * cosine {@link Schedule}), a progress bar with loss and images/s, a checkpoint at every epoch end
 * and when the step or time budget runs out. Every step runs in its own NDManager so its
 * intermediates are freed when it ends.
 *
 * <p>Reproducibility: the data order of epoch e and the randomness of step s are derived from the
 * seed alone, so a resumed run sees the same batches and noise as an uninterrupted one.
 */
final class TrainLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainLoop.class);
  private static final int LOG_EVERY = 20;

  /** The model-specific part of a step: build inputs, run forward, return the loss. */
  interface StepFunction {
    /** Returns the scalar loss and, optionally, the number of correct predictions. */
    StepOutcome run(NDManager step, int[] indices, SplittableRandom rng);
  }

  record StepOutcome(NDArray loss, NDArray correct, int images) {}

  /** Called at the end of each full epoch (0-based), then at every save. */
  interface Hooks {
    void epochEnd(int epoch, long step);

    void save(long step, boolean complete, List<LogPoint> history, double imagesPerSecond);
  }

  /**
   * What to run. {@code stopAtStep} (0 = never) ends this invocation after that step with a
   * checkpoint, without changing the plan: a resume continues exactly where it stopped.
   */
  record Plan(
      int datasetSize,
      int batch,
      long totalSteps,
      long startStep,
      double budgetSeconds,
      long seed,
      Schedule schedule,
      String task,
      double clipGradNorm,
      long stopAtStep) {
    /**
     * The plan both training runs follow: sizes, steps and seed from the run's metadata (so a
     * resumed run continues the recorded plan), the rest from its settings.
     */
    static Plan forRun(
        String task,
        int datasetSize,
        RunMeta meta,
        double minLearningRate,
        double budgetMinutes,
        double warmupFraction,
        double clipGradNorm,
        long stopAtStep) {
      Schedule schedule =
          new Schedule(
              meta.learningRate(), Math.min(minLearningRate, meta.learningRate()), warmupFraction);
      return new Plan(
          datasetSize,
          meta.batch(),
          meta.totalSteps(),
          meta.step(),
          budgetMinutes * 60,
          meta.seed(),
          schedule,
          task,
          clipGradNorm,
          stopAtStep);
    }

    long stepsPerEpoch() {
      return datasetSize / batch;
    }
  }

  /**
   * What {@link #applyUpdate} did: whether the weights were updated, the gradients' global L2 norm
   * and the names of the parameters whose gradient was not finite.
   */
  record Update(boolean applied, double gradientNorm, List<String> nonFinite) {}

  private TrainLoop() {}

  /**
   * One optimiser step from the collected gradients, which are cleared afterwards (set to 0, see
   * {@link Gradients}). A step whose loss or gradient norm is not finite is skipped (the gradients
   * are cleared, the weights stay), so one bad batch cannot poison the weights. With {@code
   * clipGradNorm > 0} the gradients are scaled down to that global L2 norm.
   */
  static Update applyUpdate(
      List<Pair<String, Parameter>> params, Optimizer optimizer, float loss, double clipGradNorm) {
    List<NDArray> grads = new ArrayList<>(params.size());
    try {
      for (Pair<String, Parameter> p : params) grads.add(p.getValue().getArray().getGradient());
      double[] squaredNorms = Gradients.squaredNorms(grads);
      double norm = Math.sqrt(Arrays.stream(squaredNorms).sum());
      boolean finite = Float.isFinite(loss) && Double.isFinite(norm);
      if (finite) {
        float scale = clipGradNorm > 0 && norm > clipGradNorm ? (float) (clipGradNorm / norm) : 1f;
        for (int i = 0; i < params.size(); i++) {
          Parameter p = params.get(i).getValue();
          if (scale == 1f) {
            optimizer.update(p.getId(), p.getArray(), grads.get(i));
          } else {
            try (NDArray scaled = grads.get(i).mul(scale)) {
              optimizer.update(p.getId(), p.getArray(), scaled);
            }
          }
        }
      }
      for (NDArray g : grads) Gradients.clear(g);
      List<String> names = params.stream().map(Pair::getKey).toList();
      return new Update(finite, norm, Gradients.nonFinite(names, squaredNorms));
    } finally {
      grads.forEach(NDArray::close);
    }
  }

  /**
   * Runs from {@code plan.startStep()} and returns the step reached. {@code params} are the
   * parameters the optimiser updates (all with gradients in every step).
   */
  static long run(
      Plan plan,
      List<Pair<String, Parameter>> trainable,
      NDManager manager,
      Optimizer optimizer,
      ScheduledRate rate,
      List<LogPoint> history,
      StepFunction stepFn,
      Hooks hooks) {
    long spe = plan.stepsPerEpoch();
    if (spe < 1) {
      throw new UserError(
          "the dataset has "
              + plan.datasetSize()
              + " images, fewer than one batch of "
              + plan.batch());
    }
    var store = new ParameterStore(manager, false);
    Progress progress = new Progress(plan.totalSteps(), plan.budgetSeconds());
    long start = System.nanoTime();
    long step = plan.startStep();
    int[] order = null;
    long orderEpoch = -1;
    double lossSum = 0;
    long correctSum = 0;
    int seen = 0;
    long windowStart = System.nanoTime();
    double imagesPerSecond = 0;
    boolean outOfTime = false;
    boolean tracksAccuracy = false;
    int skipped = 0;
    int applied = 0;
    try (ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(plan.task())
            .setInitialMax(plan.totalSteps())
            .setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(2000)
            .setConsumer(new ConsoleProgressBarConsumer(System.err))
            .setUnit(" steps", 1)
            .continuousUpdate()
            .build()) {
      bar.stepTo(step);
      while (step < plan.totalSteps()) {
        long epoch = step / spe;
        if (epoch != orderEpoch) {
          order =
              Noise.permutation(
                  plan.datasetSize(), new SplittableRandom(plan.seed() * 7919 + epoch));
          orderEpoch = epoch;
        }
        int pos = (int) (step % spe);
        int[] indices = Arrays.copyOfRange(order, pos * plan.batch(), (pos + 1) * plan.batch());
        double elapsed = (System.nanoTime() - start) / 1e9;
        rate.set(plan.schedule().at(progress.at(step, elapsed)));
        SplittableRandom rng = new SplittableRandom(plan.seed() * 1_000_003L + step);
        // the engine's generator (drop path) restarts from the step too, so a resume is exact
        Engine.getInstance().setRandomSeed((int) (plan.seed() * 1_000_033L + step));
        try (NDManager sm = manager.newSubManager()) {
          StepOutcome out;
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            out = stepFn.run(sm, indices, rng);
            gc.backward(out.loss());
          }
          float loss = out.loss().getFloat();
          Update update = applyUpdate(trainable, optimizer, loss, plan.clipGradNorm());
          if (update.applied()) {
            lossSum += loss;
            tracksAccuracy = out.correct() != null;
            if (tracksAccuracy) correctSum += out.correct().toType(DataType.INT64, false).getLong();
            seen += out.images();
            applied++;
          } else {
            skipped++;
            List<String> bad = update.nonFinite();
            LOG.warn(
                "step {}: non-finite loss or gradient (loss {}, gradient norm {}, not finite in {}"
                    + " of {} gradients{}); update skipped ({} so far)",
                step,
                loss,
                update.gradientNorm(),
                bad.size(),
                trainable.size(),
                bad.isEmpty()
                    ? ""
                    : ": " + String.join(", ", bad.subList(0, Math.min(5, bad.size()))),
                skipped);
          }
        }
        step++;
        bar.stepTo(step);
        if (step % LOG_EVERY == 0 || step == plan.totalSteps()) {
          double window = (System.nanoTime() - windowStart) / 1e9;
          imagesPerSecond = seen / Math.max(1e-9, window);
          double loss = applied == 0 ? Double.NaN : lossSum / applied;
          Double acc = tracksAccuracy && seen > 0 ? (double) correctSum / seen : null;
          history.add(new LogPoint(step, (double) step / spe, loss, acc, imagesPerSecond));
          bar.setExtraMessage(String.format(" loss %.4f  %.0f img/s", loss, imagesPerSecond));
          lossSum = 0;
          correctSum = 0;
          seen = 0;
          applied = 0;
          windowStart = System.nanoTime();
        }
        boolean epochDone = step % spe == 0;
        outOfTime =
            plan.budgetSeconds() > 0 && (System.nanoTime() - start) / 1e9 >= plan.budgetSeconds();
        boolean stopHere = step == plan.stopAtStep();
        if (epochDone) hooks.epochEnd((int) (step / spe) - 1, step);
        if (epochDone || outOfTime || stopHere || step == plan.totalSteps()) {
          hooks.save(step, step == plan.totalSteps() || outOfTime, history, imagesPerSecond);
        }
        if (outOfTime) break;
        if (stopHere && step < plan.totalSteps()) {
          LOG.info(
              "stopped at step {} of {} as asked; continue with --resume", step, plan.totalSteps());
          break;
        }
      }
    }
    if (outOfTime) {
      LOG.info(
          "time budget of {} min used up at step {} of {}; checkpoint saved",
          String.format("%.1f", plan.budgetSeconds() / 60),
          step,
          plan.totalSteps());
    }
    return step;
  }
}
