package dev.smoothguard.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.trainer.train.RunMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run stopped after k steps and resumed for m more ends with the same weights and the same
 * optimiser state, byte for byte, as k+m steps straight: the weights, AdamW's moments and step
 * counts, the data order, the noise and the drop-path draws all continue exactly.
 */
class ResumeExactTest {
  @TempDir static Path dir;
  static String data;

  @BeforeAll
  static void data() throws Exception {
    data = IdxFiles.write(dir, "train", 48, 28, 48, 10, 5);
  }

  @Test
  void fineTuningResumedEqualsStraight() throws Exception {
    String[] common = {
      "train",
      "finetune",
      "--from-scratch",
      "--data",
      data,
      "--sigma",
      "0.25",
      "--epochs",
      "2",
      "--batch",
      "8",
      "--max-steps",
      "8",
      "--seed",
      "4"
    };
    Path straight = dir.resolve("straight");
    Cli a = Cli.run(concat(common, "--out", straight.toString()));
    assertEquals(0, a.exitCode(), a.err());
    Path split = dir.resolve("split");
    Cli b1 = Cli.run(concat(common, "--stop-at-step", "3", "--out", split.toString()));
    assertEquals(0, b1.exitCode(), b1.err());
    assertEquals(3, RunMeta.read(split).step());
    Cli b2 = Cli.run(concat(common, "--resume", "--out", split.toString()));
    assertEquals(0, b2.exitCode(), b2.err());
    assertEquals(8, RunMeta.read(split).step());
    assertTrue(RunMeta.read(split).complete());
    assertSameBytes(straight.resolve("classifier.params"), split.resolve("classifier.params"));
    assertSameBytes(straight.resolve("optimizer.state"), split.resolve("optimizer.state"));
  }

  @Test
  void preTrainingResumedEqualsStraight() throws Exception {
    String[] common = {
      "train", "pretrain", "--data", data, "--epochs", "1", "--batch", "8", "--seed", "6"
    };
    Path straight = dir.resolve("pre-straight");
    assertEquals(0, Cli.run(concat(common, "--out", straight.toString())).exitCode());
    Path split = dir.resolve("pre-split");
    assertEquals(
        0, Cli.run(concat(common, "--stop-at-step", "2", "--out", split.toString())).exitCode());
    Cli r = Cli.run(concat(common, "--resume", "--out", split.toString()));
    assertEquals(0, r.exitCode(), r.err());
    assertEquals(6, RunMeta.read(split).step());
    assertSameBytes(straight.resolve("dmae.params"), split.resolve("dmae.params"));
    assertSameBytes(straight.resolve("optimizer.state"), split.resolve("optimizer.state"));
  }

  private static void assertSameBytes(Path expected, Path actual) throws Exception {
    assertArrayEquals(
        Files.readAllBytes(expected),
        Files.readAllBytes(actual),
        actual.getFileName() + " differs");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
