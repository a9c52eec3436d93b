package dev.smoothguard.smoothing.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smoothguard.smoothing.onnx.BuiltinModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FLOPs per sample against hand counts of the builtin models' layers. */
class ModelFlopsTest {
  @TempDir Path dir;

  @Test
  void countsTwoFlopsPerMultiplyAddOfEveryDenseLayer() throws Exception {
    Path mlp = BuiltinModels.write("mnist-mlp", dir.resolve("mlp.onnx"));
    // 784 -> 256 -> 10
    assertEquals(2.0 * (784 * 256 + 256 * 10), ModelFlops.perSample(mlp, 1, 28, 28));
  }
}
