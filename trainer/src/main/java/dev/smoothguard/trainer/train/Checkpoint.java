package dev.smoothguard.trainer.train;

import dev.smoothguard.smoothing.model.ModelCard.TrainingStep;
import dev.smoothguard.trainer.train.RunMeta.EvalPoint;
import dev.smoothguard.trainer.train.RunMeta.LogPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every checkpoint of a training run records besides its weights: the run's metadata with
 * its lineage so far (earlier commands plus this one with its wall time up to now), the loss
 * curve, and one log line. Pre-training and fine-tuning save different weights, the rest alike.
 */
final class Checkpoint {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);

  private Checkpoint() {}

  static void record(Path out, RunMeta start, List<TrainingStep> earlierCommands, String command,
      long wallStartNanos, long stepDone, boolean complete, List<LogPoint> history,
      List<EvalPoint> evals, String title, double imagesPerSecond) throws IOException {
    List<TrainingStep> commands = new ArrayList<>(earlierCommands);
    commands.add(new TrainingStep(command, (System.nanoTime() - wallStartNanos) / 1e9));
    start.progressed(stepDone, complete, history, evals, commands).write(out);
    Charts.lossCurve(out.resolve("loss.png"), title, history, evals);
    LOG.info("checkpoint: step {} of {} (epoch {}), {} img/s", stepDone, start.totalSteps(),
        String.format("%.2f", (double) stepDone / start.stepsPerEpoch()),
        String.format("%.0f", imagesPerSecond));
  }
}
