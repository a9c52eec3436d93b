package dev.smoothguard.smoothing.cli.common;

import dev.smoothguard.smoothing.engine.SmoothingSettings;
import picocli.CommandLine.Option;

/** CERTIFY's selection step: {@code --n0}, the samples that pick the class before estimation. */
public final class SelectionOptions {
  /** The selection samples given, or CERTIFY's default. */
  public int n0 = Integer.parseInt(SamplingDefaults.N0);

  private boolean given;

  @Option(
      names = "--n0",
      paramLabel = "N0",
      description =
          "selection samples (default: "
              + SamplingDefaults.N0
              + "; with certify --target-radius 32, "
              + "next to its first look of 64 samples)")
  void setN0(int value) {
    n0 = value;
    given = true;
  }

  /** The selection samples for a run: as given, else 100, or 32 for TARGET (adaptive) runs. */
  public int n0(boolean target) {
    return given || !target ? n0 : SmoothingSettings.DEFAULT_TARGET_N0;
  }
}
