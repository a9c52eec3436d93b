package dev.smoothguard.smoothing.cli.common;

import dev.smoothguard.smoothing.engine.EngineOptions;
import dev.smoothguard.smoothing.engine.ModelException;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.smoothing.model.ModelCard;
import dev.smoothguard.smoothing.onnx.BuiltinModels;
import dev.smoothguard.smoothing.onnx.Interpolation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every command that runs an ONNX classifier shares: the model, its input size, the
 * device.
 */
public final class ModelOptions {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "M",
      description =
          "classifier ONNX file ([N,C,H,W] pixels in [0,1] -> [N,K] logits), "
              + "or builtin:mnist-cnn / builtin:mnist-mlp (random weights, for benchmarks)")
  public String model;

  @Mixin public DeviceOptions device = new DeviceOptions();

  @Option(
      names = "--height",
      paramLabel = "H",
      description = "input height, for models with a dynamic H")
  public Integer height;

  @Option(
      names = "--width",
      paramLabel = "W",
      description = "input width, for models with a dynamic W")
  public Integer width;

  @Option(
      names = "--resize",
      defaultValue = "bilinear",
      paramLabel = "bilinear|bicubic",
      description =
          "how noisy images are resized when their size differs from the model's, as PyTorch's "
              + "interpolate(align_corners=False); bicubic is DMAE's (default: ${DEFAULT-VALUE})")
  public String resize = "bilinear";

  /** Opens the engine on this model and device. */
  public SmoothingEngine open() {
    device.validate();
    if (height != null && height < 1 || width != null && width < 1) {
      throw new UserError("--height and --width must be >= 1");
    }
    EngineOptions options =
        new EngineOptions(
            device.device,
            device.threads,
            height == null ? OptionalInt.empty() : OptionalInt.of(height),
            width == null ? OptionalInt.empty() : OptionalInt.of(width),
            Interpolation.parse(resize));
    return SmoothingEngine.open(resolve(model), options);
  }

  /** Where this model's card would be: M.json beside M.onnx (builtin models have none). */
  public String cardPath() {
    return model.startsWith("builtin:")
        ? "builtin models have none"
        : ModelCard.cardPathFor(Path.of(model)).toString();
  }

  /** The card beside the model, if there is one; builtin models have none. */
  public Optional<ModelCard> card() {
    if (model.startsWith("builtin:")) return Optional.empty();
    try {
      return ModelCard.findFor(Path.of(model));
    } catch (RuntimeException e) {
      throw new UserError(e.getMessage());
    }
  }

  /** builtin:NAME is written to a temporary ONNX file so it is loaded like any other model. */
  public static Path resolve(String model) {
    if (!model.startsWith("builtin:")) return Path.of(model);
    String name = model.substring("builtin:".length());
    if (!BuiltinModels.NAMES.contains(name)) {
      throw new ModelException(
          "unknown builtin model '" + name + "'; known: " + BuiltinModels.NAMES);
    }
    try {
      Path dir = Files.createTempDirectory("smoothguard-builtin");
      // deleteOnExit runs in reverse order of registration: the file first, then its folder
      dir.toFile().deleteOnExit();
      Path file = BuiltinModels.write(name, dir.resolve(name + ".onnx"));
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new ModelException("cannot write builtin model " + name + ": " + e.getMessage(), e);
    }
  }
}
