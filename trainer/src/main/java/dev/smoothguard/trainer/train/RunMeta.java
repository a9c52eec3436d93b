package dev.smoothguard.trainer.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.smoothing.model.ModelCard.TrainingStep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What a checkpoint directory holds besides the weights ({@code meta.json}): the run's settings,
 * how far it got, its loss history and the exact commands (with wall times) that produced it, so a
 * resume continues the same run and the exporter can write a model card.
 *
 * @param kind "pretrain" or "finetune"
 * @param config named model configuration
 * @param dataset training data spec
 * @param classNames class names in label order
 * @param sigma Gaussian noise level the run trains with
 * @param maskRatio MAE mask ratio (pre-training only)
 * @param seed the run's seed
 * @param batch images per step
 * @param learningRate peak learning rate
 * @param epochs epochs planned
 * @param stepsPerEpoch steps in one pass over the data
 * @param totalSteps steps planned (epochs x stepsPerEpoch, or --max-steps)
 * @param step steps done
 * @param complete whether the planned steps (or the time budget) ran out normally
 * @param fromScratch fine-tuning without pre-trained weights
 * @param consistencyLambda λ of the consistency loss
 * @param consistencyEta η of the entropy term
 * @param copies noisy copies per image per step
 * @param upstream the pre-training run this fine-tuning started from (null for scratch)
 * @param commands the commands that trained this checkpoint, with wall times
 * @param history loss (and, for fine-tuning, noisy training accuracy) over steps
 * @param evals held-out accuracy after each epoch (fine-tuning with --eval-data)
 * @param recipe how the run optimises (null in checkpoints written before it was recorded)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunMeta(
    String kind,
    String config,
    String dataset,
    List<String> classNames,
    double sigma,
    Double maskRatio,
    long seed,
    int batch,
    double learningRate,
    int epochs,
    long stepsPerEpoch,
    long totalSteps,
    long step,
    boolean complete,
    Boolean fromScratch,
    Double consistencyLambda,
    Double consistencyEta,
    Integer copies,
    RunMeta upstream,
    List<TrainingStep> commands,
    List<LogPoint> history,
    List<EvalPoint> evals,
    Recipe recipe) {

  /** Mean loss over the steps since the previous point. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record LogPoint(
      long step, double epoch, double loss, Double accuracy, double imagesPerSecond) {}

  /** Held-out accuracy after an epoch, on clean and on noisy (σ) inputs. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record EvalPoint(double epoch, int images, double cleanAccuracy, double noisyAccuracy) {}

  public static final String FILE = "meta.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public RunMeta progressed(
      long step,
      boolean complete,
      List<LogPoint> history,
      List<EvalPoint> evals,
      List<TrainingStep> commands) {
    return new RunMeta(
        kind,
        config,
        dataset,
        classNames,
        sigma,
        maskRatio,
        seed,
        batch,
        learningRate,
        epochs,
        stepsPerEpoch,
        totalSteps,
        step,
        complete,
        fromScratch,
        consistencyLambda,
        consistencyEta,
        copies,
        upstream,
        List.copyOf(commands),
        List.copyOf(history),
        evals == null ? null : List.copyOf(evals),
        recipe);
  }

  /** The run's recipe; for an older checkpoint, what it was trained with. */
  public Recipe recipeOrLegacy() {
    return recipe != null ? recipe : Recipe.legacy(kind);
  }

  /** Epochs actually done (fractional when a run stopped mid-epoch). */
  public double epochsDone() {
    return (double) step / Math.max(1, stepsPerEpoch);
  }

  /** All commands behind this checkpoint, the pre-training's first. */
  public List<TrainingStep> lineage() {
    List<TrainingStep> all = new ArrayList<>();
    if (upstream != null) all.addAll(upstream.lineage());
    all.addAll(commands);
    return all;
  }

  public static RunMeta read(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new UserError(dir + " is not a checkpoint directory (no " + FILE + ")");
    }
    try {
      return JSON.readValue(file.toFile(), RunMeta.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  public void write(Path dir) throws IOException {
    Path tmp = dir.resolve(FILE + ".tmp");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(
        tmp,
        dir.resolve(FILE),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }
}
