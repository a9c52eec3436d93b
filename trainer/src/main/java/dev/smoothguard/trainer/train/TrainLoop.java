package dev.smoothguard.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import dev.smoothguard.trainer.train.RunMeta.LogPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared training loop: shuffled epochs, one optimiser step per batch (AdamW with the
 * warm-up + cosine {@link Schedule}), a progress bar with loss and images/s, a checkpoint at
 * every epoch end and when the step or time budget runs out. Every step runs in its own
 * NDManager so its intermediates are freed when it ends.
 *
 * <p>Reproducibility: the data order of epoch e and the randomness of step s are derived from
 * the seed alone, so a resumed run sees the same batches and noise as an uninterrupted one.
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

  record Plan(int datasetSize, int batch, long totalSteps, long startStep, double budgetSeconds,
      long seed, Schedule schedule, String task) {
    long stepsPerEpoch() {
      return datasetSize / batch;
    }
  }

  private TrainLoop() {}

  /** Runs from {@code plan.startStep()} and returns the step reached. */
  static long run(Plan plan, Block block, NDManager manager, Optimizer optimizer,
      ScheduledRate rate, List<LogPoint> history, StepFunction stepFn, Hooks hooks) {
    long spe = plan.stepsPerEpoch();
    if (spe < 1) {
      throw new IllegalArgumentException("the dataset has " + plan.datasetSize()
          + " images, fewer than one batch of " + plan.batch());
    }
    List<Parameter> params = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getValue().requiresGradient()) params.add(p.getValue());
    }
    var store = new ai.djl.training.ParameterStore(manager, false);
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
    try (ProgressBar bar = new ProgressBarBuilder().setTaskName(plan.task())
        .setInitialMax(plan.totalSteps()).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(2000)
        .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUnit(" steps", 1)
        .continuousUpdate().build()) {
      bar.stepTo(step);
      while (step < plan.totalSteps()) {
        long epoch = step / spe;
        if (epoch != orderEpoch) {
          order = Noise.permutation(plan.datasetSize(), new SplittableRandom(plan.seed() * 7919 + epoch));
          orderEpoch = epoch;
        }
        int pos = (int) (step % spe);
        int[] indices = java.util.Arrays.copyOfRange(order, pos * plan.batch(), (pos + 1) * plan.batch());
        double elapsed = (System.nanoTime() - start) / 1e9;
        rate.set(plan.schedule().at(progress.at(step, elapsed)));
        SplittableRandom rng = new SplittableRandom(plan.seed() * 1_000_003L + step);
        try (NDManager sm = manager.newSubManager()) {
          StepOutcome out;
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            out = stepFn.run(sm, indices, rng);
            gc.backward(out.loss());
          }
          for (Parameter p : params) {
            NDArray w = p.getArray();
            try (NDArray g = w.getGradient()) {
              optimizer.update(p.getId(), w, g);
              g.subi(g); // zero for the next step
            }
          }
          lossSum += out.loss().getFloat();
          tracksAccuracy = out.correct() != null;
          if (tracksAccuracy) correctSum += out.correct().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
          seen += out.images();
        }
        step++;
        bar.stepTo(step);
        if (step % LOG_EVERY == 0 || step == plan.totalSteps()) {
          double window = (System.nanoTime() - windowStart) / 1e9;
          imagesPerSecond = seen / Math.max(1e-9, window);
          int steps = (int) (step % LOG_EVERY == 0 ? LOG_EVERY : step % LOG_EVERY);
          double loss = lossSum / steps;
          Double acc = tracksAccuracy ? (double) correctSum / seen : null;
          history.add(new LogPoint(step, (double) step / spe, loss, acc, imagesPerSecond));
          bar.setExtraMessage(String.format(" loss %.4f  %.0f img/s", loss, imagesPerSecond));
          lossSum = 0;
          correctSum = 0;
          seen = 0;
          windowStart = System.nanoTime();
        }
        boolean epochDone = step % spe == 0;
        outOfTime = plan.budgetSeconds() > 0 && (System.nanoTime() - start) / 1e9 >= plan.budgetSeconds();
        if (epochDone) hooks.epochEnd((int) (step / spe) - 1, step);
        if (epochDone || outOfTime || step == plan.totalSteps()) {
          hooks.save(step, step == plan.totalSteps() || outOfTime, history, imagesPerSecond);
        }
        if (outOfTime) break;
      }
    }
    if (outOfTime) {
      LOG.info("time budget of {} min used up at step {} of {}; checkpoint saved",
          String.format("%.1f", plan.budgetSeconds() / 60), step, plan.totalSteps());
    }
    return step;
  }
}
