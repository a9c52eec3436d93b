package dev.smoothguard.smoothing.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.smoothguard.smoothing.model.ModelCard;
import dev.smoothguard.smoothing.onnx.GraphBuilder;
import dev.smoothguard.smoothing.onnx.Protos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoadingTest {
  @TempDir Path dir;

  static final EngineOptions CPU = EngineOptions.defaults().withDevice("cpu");

  private String failure(Path model, EngineOptions options) {
    return assertThrows(ModelException.class, () -> SmoothingEngine.open(model, options).close())
        .getMessage();
  }

  /** A graph of one ReduceMean from the input to a [N,K]-like output; shapes chosen per test. */
  private Path model(String name, DataType inType, Object[] inDims, Object[] outDims, long... axes)
      throws Exception {
    GraphBuilder g = new GraphBuilder(name, 17);
    String x = g.input("x", inType, inDims);
    String y =
        g.node("ReduceMean", List.of(x), Protos.attr("axes", axes), Protos.attr("keepdims", 0L));
    g.addNode("Identity", List.of(y), List.of("y"));
    g.output("y", inType, outDims);
    return Files.write(dir.resolve(name + ".onnx"), g.model("test").toByteArray());
  }

  @Test
  void readsShapeHashAndCard() throws Exception {
    Path file = LinearModel.standard().write(dir.resolve("lin.onnx"));
    new ModelCard(
            "lin",
            "3",
            "synthetic",
            List.of("neg", "pos"),
            List.of(1, 4, 4),
            0.5,
            "linear",
            Map.of(),
            List.of(),
            null,
            null)
        .write(dir.resolve("lin.json"));
    try (SmoothingEngine e = SmoothingEngine.open(file, CPU)) {
      assertEquals(1, e.model().channels());
      assertEquals(4, e.model().height());
      assertEquals(4, e.model().width());
      assertEquals(2, e.model().numClasses());
      assertEquals("cpu", e.device());
      assertEquals(
          HexFormat.of()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))),
          e.model().sha256());
      assertEquals(List.of("neg", "pos"), e.model().classNames());
      assertEquals("3", e.model().version());
    }
  }

  @Test
  void missingAndNonOnnxFiles() throws Exception {
    assertTrue(failure(dir.resolve("nope.onnx"), CPU).contains("no such file"));
    Path text = Files.writeString(dir.resolve("text.onnx"), "this is not a model\n");
    assertTrue(failure(text, CPU).contains("not an ONNX model"), failure(text, CPU));
    Path dirAsModel = Files.createDirectories(dir.resolve("d.onnx"));
    assertTrue(failure(dirAsModel, CPU).contains("not a regular file"));
  }

  @Test
  void wrongInputRankOrType() throws Exception {
    Path rank3 =
        model("rank3", DataType.FLOAT, new Object[] {"N", 4L, 4L}, new Object[] {"N", 4L}, 2);
    assertTrue(failure(rank3, CPU).contains("rank 3"), failure(rank3, CPU));
    Path ints =
        model(
            "ints", DataType.INT32, new Object[] {"N", 1L, 4L, 4L}, new Object[] {"N", 1L, 4L}, 2);
    assertTrue(failure(ints, CPU).contains("must be a float tensor"), failure(ints, CPU));
  }

  @Test
  void outputMustBeRankTwo() throws Exception {
    Path out3 =
        model(
            "out3", DataType.FLOAT, new Object[] {"N", 1L, 4L, 4L}, new Object[] {"N", 1L, 4L}, 2);
    assertTrue(failure(out3, CPU).contains("rank 2"), failure(out3, CPU));
  }

  @Test
  void dynamicHeightWidthNeedAGivenSize() throws Exception {
    // mean over H and W of [N,C,H,W] -> [N,C]: a "classifier" with K = C = 3 for any H, W
    Path dyn =
        model(
            "dyn", DataType.FLOAT, new Object[] {"N", 3L, "H", "W"}, new Object[] {"N", 3L}, 2, 3);
    assertTrue(failure(dyn, CPU).contains("height is dynamic"), failure(dyn, CPU));
    EngineOptions sized = new EngineOptions("cpu", 1, OptionalInt.of(5), OptionalInt.of(7));
    try (SmoothingEngine e = SmoothingEngine.open(dyn, sized)) {
      assertEquals(5, e.model().height());
      assertEquals(7, e.model().width());
      assertEquals(3, e.model().numClasses());
    }
  }

  @Test
  void explicitCudaWithoutCudaIsAClearError() throws Exception {
    Path file = LinearModel.standard().write(dir.resolve("lin.onnx"));
    EngineOptions cuda = CPU.withDevice("cuda:0");
    // only meaningful where CUDA is missing (the default CPU build); on a GPU it must work
    try (SmoothingEngine e = SmoothingEngine.open(file, cuda)) {
      assertEquals("cuda:0", e.device());
    } catch (ModelException e) {
      assertTrue(e.getMessage().startsWith("device cuda:0 is not usable"), e.getMessage());
    }
    try (SmoothingEngine e = SmoothingEngine.open(file, EngineOptions.defaults())) {
      assertTrue(e.device().equals("cpu") || e.device().equals("cuda:0"), e.device());
    }
  }
}
