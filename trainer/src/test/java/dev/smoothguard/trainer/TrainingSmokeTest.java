package dev.smoothguard.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.smoothing.model.ModelCard;
import dev.smoothguard.trainer.train.RunMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few real training steps of the tiny config on random 28x28 data: pre-training, fine-tuning from
 * it, resume, export with a model card; and the errors a user can cause.
 */
class TrainingSmokeTest {
  @TempDir static Path dir;
  static String data;

  @BeforeAll
  static void data() throws Exception {
    data = IdxFiles.write(dir, "train", 96, 28, 96, 10, 7);
  }

  @Test
  void pretrainFinetuneResumeExport() throws Exception {
    Path pre = dir.resolve("pre");
    Cli p =
        Cli.run(
            "train",
            "pretrain",
            "--data",
            data,
            "--config",
            "tiny",
            "--epochs",
            "2",
            "--batch",
            "32",
            "--seed",
            "3",
            "--out",
            pre.toString());
    assertEquals(0, p.exitCode(), p.err());
    RunMeta pm = RunMeta.read(pre);
    assertEquals(6, pm.step());
    assertTrue(pm.complete());
    assertTrue(pm.history().stream().allMatch(h -> Double.isFinite(h.loss())));
    assertTrue(Files.size(pre.resolve("recon-epoch002.png")) > 0);
    assertTrue(Files.size(pre.resolve("loss.png")) > 0);

    // a run that stops at its step limit and is resumed to the end of its epochs
    Path ft = dir.resolve("ft");
    Cli f =
        Cli.run(
            "train",
            "finetune",
            "--pretrained",
            pre.toString(),
            "--data",
            data,
            "--sigma",
            "0.5",
            "--epochs",
            "2",
            "--batch",
            "16",
            "--max-steps",
            "12",
            "--time-budget",
            "0.0001",
            "--eval-data",
            data,
            "--eval-max",
            "40",
            "--out",
            ft.toString());
    assertEquals(0, f.exitCode(), f.err());
    RunMeta first = RunMeta.read(ft);
    assertTrue(
        first.step() >= 1 && first.step() < 12, "the budget stops the run early: " + first.step());
    Cli r =
        Cli.run(
            "train",
            "finetune",
            "--resume",
            "--data",
            data,
            "--sigma",
            "0.5",
            "--time-budget",
            "0",
            "--out",
            ft.toString());
    assertEquals(0, r.exitCode(), r.err());
    RunMeta fm = RunMeta.read(ft);
    assertEquals(12, fm.step());
    assertEquals(2, fm.commands().size(), "both invocations are recorded");
    assertEquals(
        1,
        fm.lineage().size() - fm.commands().size(),
        "the pre-training command is in the lineage");
    assertTrue(fm.history().get(fm.history().size() - 1).accuracy() != null);
    // the reference recipe by default, recorded with the run (the resume kept it)
    assertEquals(0.65, fm.recipe().layerDecay());
    assertEquals(0.1, fm.recipe().dropPath());
    assertEquals(0.1, fm.recipe().labelSmoothing());
    assertTrue(fm.recipe().globalPool());
    assertEquals("mae", fm.recipe().init());
    assertEquals(5e-4, fm.recipe().baseLearningRate());
    assertEquals(5e-4 * 16 / 256, fm.learningRate(), 1e-15);
    assertEquals(1.5e-4 * 32 / 256, pm.learningRate(), 1e-15);
    assertTrue(Files.size(ft.resolve("optimizer.state")) > 0);

    Path onnx = dir.resolve("models/smoke.onnx");
    Cli e = Cli.run("export", "--checkpoint", ft.toString(), "--out", onnx.toString());
    assertEquals(0, e.exitCode(), e.err());
    ModelCard card = ModelCard.read(dir.resolve("models/smoke.json"));
    assertEquals(0.5, card.sigma());
    assertEquals(List.of(1, 28, 28), card.inputShape());
    assertEquals(3, card.training().size());
    assertEquals(64, card.onnxSha256().length());
  }

  @Test
  void userErrorsExitWithCodeTwoAndOneLine() throws Exception {
    Cli bad =
        Cli.run("train", "pretrain", "--data", "nope:/x", "--out", dir.resolve("e1").toString());
    assertEquals(2, bad.exitCode());
    assertTrue(bad.err().contains("unknown dataset spec"), bad.err());

    String big = IdxFiles.write(dir, "big", 4, 32, 4, 2, 1);
    Cli size = Cli.run("train", "pretrain", "--data", big, "--out", dir.resolve("e2").toString());
    assertEquals(2, size.exitCode());
    assertTrue(size.err().contains("32x32") && size.err().contains("tiny"), size.err());

    String mismatch = IdxFiles.write(dir, "mismatch", 8, 28, 7, 2, 1);
    Cli count =
        Cli.run(
            "train",
            "finetune",
            "--from-scratch",
            "--data",
            mismatch,
            "--sigma",
            "0.25",
            "--out",
            dir.resolve("e3").toString());
    assertEquals(2, count.exitCode());
    assertTrue(count.err().contains("7 labels for 8 images"), count.err());

    // recipe flags outside their range are the user's to fix, named in one line
    for (String[] flag :
        new String[][] {
          {"--init", "kaiming"},
          {"--layer-decay", "1.5"},
          {"--drop-path", "1"},
          {"--label-smoothing", "-0.1"},
          {"--blr", "0"}
        }) {
      Cli recipe =
          Cli.run(
              "train",
              "finetune",
              "--from-scratch",
              "--data",
              data,
              "--sigma",
              "0.25",
              flag[0],
              flag[1],
              "--out",
              dir.resolve("e-recipe").toString());
      assertEquals(2, recipe.exitCode(), recipe.err());
      assertTrue(recipe.err().contains(flag[0]), recipe.err());
    }

    Path corrupt = dir.resolve("corrupt-idx3-ubyte");
    Files.write(corrupt, new byte[] {0, 0, 9, 9, 0, 0, 0, 1});
    Cli header =
        Cli.run(
            "train", "pretrain", "--data", "idx:" + corrupt, "--out", dir.resolve("e4").toString());
    assertEquals(2, header.exitCode());
    assertTrue(header.err().contains("not an IDX file"), header.err());
  }
}
