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
      names = "--from",
      defaultValue = "0",
      paramLabel = "F",
      description = "start at dataset index F (default: ${DEFAULT-VALUE})")
  int from;

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

  /** Throws a UserError for --skip/--from/--max values that select nothing by construction. */
  void checkFlags() {
    if (skip < 1) throw new UserError("--skip must be >= 1, got " + skip);
    if (from < 0) throw new UserError("--from must be >= 0, got " + from);
    // from == 0 keeps the old meaning of --max 0 (an empty run)
    if (from > 0 && max >= 0 && from >= max) {
      throw new UserError("--from " + from + " must be below --max " + max + " (no images left)");
    }
  }

  /**
   * Dataset indices to process, in order: F <= i < K with i % S == 0. The skip counts from index 0,
   * not from F, so a range of a Cohen-style run ({@code --skip 10}) picks the same images.
   */
  int[] indices(ImageDataset ds) {
    checkFlags();
    if (from > 0 && from >= ds.size()) {
      throw new UserError(
          "--from " + from + " is past the end of " + data + " (" + ds.size() + " images)");
    }
    int end = max < 0 ? ds.size() : Math.min(max, ds.size());
    return IntStream.range(from, end).filter(i -> i % skip == 0).toArray();
  }
}
