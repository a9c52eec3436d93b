package dev.smoothguard.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smoothguard.smoothing.engine.EngineOptions;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.trainer.model.VitClassifier;
import dev.smoothguard.trainer.train.Finetuning;
import dev.smoothguard.trainer.train.RunMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export of both poolings after real training steps, checked through the engine on noisy inputs
 * (pixels + σ·N(0,1), outside [0,1]); and a checkpoint from before recipes were recorded (a
 * class-token model like the shipped ones) still loads and exports.
 */
class PoolingExportTest {
  private static final double TOLERANCE = 1e-4;
  @TempDir static Path dir;
  static String data;

  @BeforeAll
  static void data() throws Exception {
    data = IdxFiles.write(dir, "train", 32, 28, 32, 10, 13);
  }

  @Test
  void globalPoolAndClassTokenExportMatchTheDjlModel() throws Exception {
    for (String pooling : new String[] {"--global-pool", "--no-global-pool"}) {
      Path ft = dir.resolve("ft" + pooling);
      Cli f =
          Cli.run(
              "train",
              "finetune",
              "--from-scratch",
              "--data",
              data,
              "--sigma",
              "0.5",
              "--epochs",
              "1",
              "--batch",
              "8",
              "--lr",
              "3e-3",
              pooling,
              "--out",
              ft.toString());
      assertEquals(0, f.exitCode(), f.err());
      assertEquals("--global-pool".equals(pooling), RunMeta.read(ft).recipe().globalPool());
      assertParity(ft);
    }
  }

  @Test
  void checkpointWithoutRecipeIsAClassTokenModel() throws Exception {
    Path ft = dir.resolve("legacy");
    Cli f =
        Cli.run(
            "train",
            "finetune",
            "--from-scratch",
            "--data",
            data,
            "--sigma",
            "0.25",
            "--epochs",
            "1",
            "--batch",
            "8",
            "--no-global-pool",
            "--out",
            ft.toString());
    assertEquals(0, f.exitCode(), f.err());
    // what an older trainer wrote: meta.json without the recipe, no optimizer state
    ObjectMapper json = new ObjectMapper();
    ObjectNode meta = (ObjectNode) json.readTree(ft.resolve("meta.json").toFile());
    meta.remove("recipe");
    json.writeValue(ft.resolve("meta.json").toFile(), meta);
    Files.delete(ft.resolve("optimizer.state"));
    RunMeta old = RunMeta.read(ft);
    assertEquals(null, old.recipe());
    assertFalse(old.recipeOrLegacy().globalPool());
    assertParity(ft);
  }

  private static void assertParity(Path ft) throws Exception {
    Path onnx = ft.resolve("model.onnx");
    Cli e = Cli.run("export", "--checkpoint", ft.toString(), "--out", onnx.toString());
    assertEquals(0, e.exitCode(), e.err());
    int batch = 6;
    float[] x = new float[batch * 28 * 28];
    SplittableRandom rng = new SplittableRandom(21);
    for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() + 0.5 * rng.nextGaussian());
    float[] expected;
    try (NDManager m = NDManager.newBaseManager()) {
      VitClassifier model = Finetuning.load(ft, RunMeta.read(ft), m);
      try (NDManager sm = m.newSubManager()) {
        var in = sm.create(x, new Shape(batch, 1, 28, 28));
        expected =
            model
                .forward(new ParameterStore(sm, false), new NDList(in), false)
                .singletonOrThrow()
                .toFloatArray();
      }
    }
    try (SmoothingEngine engine = SmoothingEngine.open(onnx, EngineOptions.defaults())) {
      float[] actual = engine.logits(x, batch);
      double max = 0;
      for (int i = 0; i < expected.length; i++)
        max = Math.max(max, Math.abs(expected[i] - actual[i]));
      assertTrue(max < TOLERANCE, ft.getFileName() + ": max abs logit difference " + max);
    }
  }
}
