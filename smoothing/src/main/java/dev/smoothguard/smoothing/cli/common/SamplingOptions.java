package dev.smoothguard.smoothing.cli.common;

import dev.smoothguard.smoothing.engine.Mode;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.smoothing.model.ModelCard;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import picocli.CommandLine.Option;

/**
 * The Monte Carlo flags of every command that certifies or predicts offline: {@code --sigma},
 * {@code --n}, {@code --alpha}, {@code --batch}, {@code --seed} (CERTIFY's {@code --n0}: {@link
 * SelectionOptions}).
 */
public final class SamplingOptions {
  @Option(
      names = "--sigma",
      paramLabel = "S",
      description =
          "noise standard deviation, pixel units (default: the sigma in the model's card, "
              + "M.json beside M.onnx, as the auditor does)")
  public Double sigma;

  @Option(
      names = "--n",
      defaultValue = SamplingDefaults.N_EVALUATION,
      description =
          "estimation samples; the cap in --target-radius mode (default: ${DEFAULT-VALUE})")
  public int n;

  @Option(
      names = "--alpha",
      defaultValue = SamplingDefaults.ALPHA,
      description = "failure probability (default: ${DEFAULT-VALUE})")
  public double alpha;

  @Option(
      names = "--batch",
      defaultValue = SamplingDefaults.BATCH,
      description = "noisy samples per graph run (default: ${DEFAULT-VALUE})")
  public int batch;

  @Option(
      names = "--seed",
      paramLabel = "X",
      description =
          "fixed noise seed, any 64-bit integer; default: fresh noise (SecureRandom) per run. "
              + "CPU: noise drawn in Java (L64X128MixRandom, one stream per sample), the same counts for a "
              + "seed whatever --threads and --batch. CUDA: noise drawn in the graph (cuRAND Philox), whose "
              + "seed is a float32: only 0..16777216, others are refused.")
  public Long seed;

  /**
   * The engine settings for these flags; a bad value is a {@link UserError} naming its flag.
   *
   * @param n0 selection samples (1 for PREDICT, which has no selection step)
   * @param model the model, whose card gives sigma when {@code --sigma} is not set
   */
  public SmoothingSettings settings(
      int n0, Mode mode, OptionalDouble targetRadius, ModelOptions model) {
    double sigma = this.sigma != null ? this.sigma : cardSigma(model);
    if (!(sigma > 0) || Double.isInfinite(sigma))
      throw new UserError("--sigma must be > 0, got " + sigma);
    if (n0 < 1) throw new UserError("--n0 must be >= 1, got " + n0);
    if (n < 1) throw new UserError("--n must be >= 1, got " + n);
    if (!(alpha > 0 && alpha < 1)) throw new UserError("--alpha must be in (0,1), got " + alpha);
    if (batch < 1) throw new UserError("--batch must be >= 1, got " + batch);
    if (targetRadius.isPresent() && !(targetRadius.getAsDouble() > 0)) {
      throw new UserError("--target-radius must be > 0, got " + targetRadius.getAsDouble());
    }
    return new SmoothingSettings(
        sigma,
        n0,
        n,
        alpha,
        batch,
        mode,
        targetRadius,
        seed == null ? OptionalLong.empty() : OptionalLong.of(seed));
  }

  /**
   * A model is fine-tuned for one sigma and certifies soundly at any, but well only near its own;
   * the card records it, so a missing flag means "the model's sigma", never a guessed default.
   */
  private static double cardSigma(ModelOptions model) {
    return model
        .card()
        .flatMap(ModelCard::fineTunedSigma)
        .orElseThrow(
            () ->
                new UserError(
                    "--sigma is required: model "
                        + model.model
                        + " has no model card with a sigma ("
                        + model.cardPath()
                        + ")"));
  }
}
