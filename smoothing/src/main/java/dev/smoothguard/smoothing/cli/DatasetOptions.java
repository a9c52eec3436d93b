package dev.smoothguard.smoothing.cli;

import dev.smoothguard.smoothing.data.ImageDataset;
import dev.smoothguard.smoothing.errors.UserError;
import java.util.stream.IntStream;
import picocli.CommandLine.Option;

/** Which images of a dataset to process, as in Cohen's scripts. */
final class DatasetOptions {
  @Option(
      names = "--data",
      required = true,
      paramLabel = "SPEC",
      description = "folder:DIR, idx:IMAGES[,LABELS] or cifar:FILE[,FILE...]")
  String data;

  @Option(
      names = "--skip",
      defaultValue = "1",
      paramLabel = "S",
      description = "only every S-th image: dataset index %% S == 0 (default: ${DEFAULT-VALUE})")
  int skip;

  @Option(
      names = "--max",
      defaultValue = "-1",
      paramLabel = "K",
      description = "stop before dataset index K (default: the whole dataset)")
  int max;

  /** Dataset indices to process, in order. */
  int[] indices(ImageDataset ds) {
    if (skip < 1) throw new UserError("--skip must be >= 1, got " + skip);
    int end = max < 0 ? ds.size() : Math.min(max, ds.size());
    return IntStream.range(0, end).filter(i -> i % skip == 0).toArray();
  }
}
