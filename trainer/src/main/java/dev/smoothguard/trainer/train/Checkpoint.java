package dev.smoothguard.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.smoothguard.smoothing.model.ModelCard.TrainingStep;
import dev.smoothguard.trainer.optim.AdamW;
import dev.smoothguard.trainer.optim.ParameterSpec;
import dev.smoothguard.trainer.train.RunMeta.EvalPoint;
import dev.smoothguard.trainer.train.RunMeta.LogPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every checkpoint of a training run records besides its weights: the run's metadata with its
 * lineage so far (earlier commands plus this one with its wall time up to now), the loss curve, and
 * one log line. Pre-training and fine-tuning save different weights, the rest alike.
 */
final class Checkpoint {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);

  /** The optimiser's state (AdamW's moments and step counts) beside the weights. */
  static final String OPTIMIZER_FILE = "optimizer.state";

  private Checkpoint() {}

  /** The parameters an optimiser trains: every parameter of the block that takes gradients. */
  static List<Pair<String, Parameter>> trainable(Block block) {
    List<Pair<String, Parameter>> out = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getValue().requiresGradient()) out.add(p);
    }
    return out;
  }

  /** Logs what the parameter groups are (how many decay, the range of learning-rate scales). */
  static List<Pair<Parameter, ParameterSpec>> logGroups(
      List<Pair<Parameter, ParameterSpec>> groups) {
    long decayed = groups.stream().filter(g -> g.getValue().weightDecay() > 0).count();
    DoubleSummaryStatistics scales =
        groups.stream().mapToDouble(g -> g.getValue().lrScale()).summaryStatistics();
    LOG.info(
        "AdamW parameter groups: {} parameters with weight decay, {} without; lr scales {} .. {}",
        decayed,
        groups.size() - decayed,
        String.format("%.4g", scales.getMin()),
        String.format("%.4g", scales.getMax()));
    return groups;
  }

  /**
   * Restores the optimiser state saved with a checkpoint. Checkpoints written before the state was
   * saved have none: their moments restart from zero, which the log says.
   */
  static void restoreOptimizer(AdamW optimizer, Path dir, NDManager manager) throws IOException {
    Path file = dir.resolve(OPTIMIZER_FILE);
    if (Files.isRegularFile(file)) {
      optimizer.load(file, manager);
    } else {
      LOG.warn(
          "{} has no {} (an older checkpoint): AdamW's moments restart from zero",
          dir,
          OPTIMIZER_FILE);
    }
  }

  static void record(
      Path out,
      RunMeta start,
      List<TrainingStep> earlierCommands,
      String command,
      long wallStartNanos,
      long stepDone,
      boolean complete,
      List<LogPoint> history,
      List<EvalPoint> evals,
      String title,
      double imagesPerSecond)
      throws IOException {
    List<TrainingStep> commands = new ArrayList<>(earlierCommands);
    commands.add(new TrainingStep(command, (System.nanoTime() - wallStartNanos) / 1e9));
    start.progressed(stepDone, complete, history, evals, commands).write(out);
    Charts.lossCurve(out.resolve("loss.png"), title, history, evals);
    LOG.info(
        "checkpoint: step {} of {} (epoch {}), {} img/s",
        stepDone,
        start.totalSteps(),
        String.format("%.2f", (double) stepDone / start.stepsPerEpoch()),
        String.format("%.0f", imagesPerSecond));
  }
}
