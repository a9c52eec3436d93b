package dev.smoothguard.smoothing.cli.common;

import picocli.CommandLine.Option;

/** CERTIFY's selection step: {@code --n0}, the samples that pick the class before estimation. */
public final class SelectionOptions {
  @Option(names = "--n0", defaultValue = SamplingDefaults.N0, description = "selection samples (default: ${DEFAULT-VALUE})")
  public int n0;
}
