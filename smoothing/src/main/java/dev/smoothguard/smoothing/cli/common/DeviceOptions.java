package dev.smoothguard.smoothing.cli.common;

import dev.smoothguard.smoothing.errors.UserError;
import picocli.CommandLine.Option;

/** Where the engine runs: {@code --device} and {@code --threads}. */
public final class DeviceOptions {
  @Option(
      names = "--device",
      defaultValue = "auto",
      paramLabel = "auto|cpu|cuda[:N]",
      description =
          "where to run; auto tries CUDA and falls back to CPU (default: ${DEFAULT-VALUE})")
  public String device;

  @Option(
      names = "--threads",
      defaultValue = "0",
      paramLabel = "T",
      description =
          "CPU threads: graph runs of up to 128 samples go side by side on T single-threaded workers; 0 = one per core (default: ${DEFAULT-VALUE})")
  public int threads;

  /** Checks the flags before the engine sees them, so a bad value names its flag. */
  public void validate() {
    if (device == null || !device.matches("auto|cpu|cuda(:\\d+)?")) {
      throw new UserError("--device must be auto, cpu, cuda or cuda:N, got '" + device + "'");
    }
    if (threads < 0) throw new UserError("--threads must be >= 0, got " + threads);
  }
}
