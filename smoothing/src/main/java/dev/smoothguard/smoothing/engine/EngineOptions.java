package dev.smoothguard.smoothing.engine;

import dev.smoothguard.smoothing.onnx.Interpolation;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * How to run a model.
 *
 * @param device "auto" (CUDA if it works, else CPU with a log line), "cpu", "cuda" or "cuda:N"
 * @param intraOpThreads ONNX Runtime intra-op threads; 0 = its default (all cores). On the CPU,
 *     smoothing graphs use it as the number of single-threaded runs side by side (the engine's
 *     ParallelRuns); 0 = one per core
 * @param height H to use when the model's input height is dynamic
 * @param width W to use when the model's input width is dynamic
 * @param resize how the smoothing graph resizes noisy images whose size differs from the model's
 */
public record EngineOptions(
    String device,
    int intraOpThreads,
    OptionalInt height,
    OptionalInt width,
    Interpolation resize) {
  private static final Pattern DEVICE = Pattern.compile("auto|cpu|cuda(:\\d+)?");

  public EngineOptions {
    if (device == null || !DEVICE.matcher(device).matches()) {
      throw new IllegalArgumentException(
          "device must be auto, cpu, cuda or cuda:N, got '" + device + "'");
    }
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    }
    if (height.isPresent() && height.getAsInt() < 1 || width.isPresent() && width.getAsInt() < 1) {
      throw new IllegalArgumentException("height and width must be >= 1");
    }
    if (resize == null) throw new IllegalArgumentException("resize mode must be given");
  }

  /** Bilinear resize. */
  public EngineOptions(String device, int intraOpThreads, OptionalInt height, OptionalInt width) {
    this(device, intraOpThreads, height, width, Interpolation.BILINEAR);
  }

  public static EngineOptions defaults() {
    return new EngineOptions("auto", 0, OptionalInt.empty(), OptionalInt.empty());
  }

  public EngineOptions withDevice(String newDevice) {
    return new EngineOptions(newDevice, intraOpThreads, height, width, resize);
  }

  public EngineOptions withResize(Interpolation mode) {
    return new EngineOptions(device, intraOpThreads, height, width, mode);
  }

  /** The CUDA device index asked for ("cuda" = 0); -1 for cpu; for auto, 0. */
  int cudaIndex() {
    if (device.equals("cpu")) return -1;
    int colon = device.indexOf(':');
    return colon < 0 ? 0 : Integer.parseInt(device.substring(colon + 1));
  }
}
