package dev.smoothguard.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.smoothguard.smoothing.engine.EngineOptions;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.model.ModelCard;
import dev.smoothguard.trainer.export.VitOnnx;
import dev.smoothguard.trainer.pytorch.PytorchCheckpoint;
import dev.smoothguard.trainer.pytorch.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code export --from-pytorch} against PyTorch itself: the fixtures under {@code
 * src/test/resources/pytorch} (written by {@code src/test/python/make_timm_vit_fixtures.py}) hold
 * tiny timm-named ViTs, 8 inputs (4 clean, 4 noisy outside [0,1]) and PyTorch's logits on them. The
 * imported ONNX models run in ONNX Runtime must give the same logits.
 */
class PytorchImportTest {
  private static final double TOLERANCE = 1e-4;
  private static final int BATCH = 8;
  private static final int CLASSES = 5;
  private static final String CIFAR_MEAN = "0.4914,0.4822,0.4465";
  private static final String CIFAR_STD = "0.2471,0.2435,0.2616";
  private static final Path PWNED = Path.of("/tmp/smoothguard-pwned");

  @TempDir Path dir;

  @Test
  void classTokenModelFromAPlainStateDictMatchesPytorch() throws Exception {
    Path names = Files.writeString(dir.resolve("names.txt"), "tench, Tinca tinca\nb\nc\n\nd\ne\n");
    Path onnx =
        importModel("vit_token.pth", "--heads", "4", "--class-names-file", names.toString());
    assertParity(onnx, 16, "vit_token.logits.f32");
    ModelCard card = ModelCard.read(ModelCard.cardPathFor(onnx));
    assertEquals(List.of("tench, Tinca tinca", "b", "c", "d", "e"), card.classNames());
    assertEquals(sha256(fixture("vit_token.pth")), card.source().sha256());
    assertEquals("torch.save zip", card.source().format());
    assertEquals(List.of(3, 16, 16), card.inputShape());
    Map<String, Object> arch = card.source().architecture();
    assertEquals(2, arch.get("depth"));
    assertEquals(16, arch.get("width"));
    assertEquals(4, arch.get("patch"));
    assertEquals(5, arch.get("classes"));
    assertEquals("class token", arch.get("pooling"));
    assertEquals(List.of(0.485, 0.456, 0.406), card.source().preprocessing().get("mean"));
  }

  @Test
  void globalPoolModelNestedUnderModelWithHalfPrecisionAndStridedTensorsMatchesPytorch()
      throws Exception {
    Path onnx =
        importModel(
            "vit_mean_nested.pth",
            "--heads",
            "4",
            "--state-key",
            "model",
            "--mean",
            CIFAR_MEAN,
            "--std",
            CIFAR_STD,
            "--sigma",
            "0.25",
            "--class-names",
            "a,b,c,d,e");
    assertParity(onnx, 16, "vit_mean_nested.logits.f32");
    ModelCard card = ModelCard.read(ModelCard.cardPathFor(onnx));
    assertEquals("mean of patch tokens", card.source().architecture().get("pooling"));
    assertEquals("fc_norm", card.source().architecture().get("pooledNorm"));
    assertEquals("model", card.source().stateKey());
    assertEquals(0.25, card.sigma());
    assertEquals(List.of("a", "b", "c", "d", "e"), card.classNames());
  }

  @ParameterizedTest
  @ValueSource(strings = {"bicubic", "bilinear"})
  void safetensorsModelWithAResizeAfterTheNoiseMatchesPytorchInterpolate(String mode)
      throws Exception {
    Path onnx =
        importModel(
            "vit_resize.safetensors",
            "--heads",
            "4",
            "--input-size",
            "16",
            "--resize-to",
            "32",
            "--resize-mode",
            mode,
            "--mean",
            CIFAR_MEAN,
            "--std",
            CIFAR_STD);
    assertParity(onnx, 16, "vit_resize." + mode + ".logits.f32");
    ModelCard card = ModelCard.read(ModelCard.cardPathFor(onnx));
    assertEquals(mode + " 16->32 (after the noise)", card.source().preprocessing().get("resize"));
    assertEquals("safetensors", card.source().format());
  }

  @Test
  void theEngineLoadsAnImportedModelAndSmoothsIt() throws Exception {
    Path onnx =
        importModel(
            "vit_resize.safetensors",
            "--heads",
            "4",
            "--input-size",
            "16",
            "--mean",
            CIFAR_MEAN,
            "--std",
            CIFAR_STD);
    float[] x = floats("inputs.f32");
    try (SmoothingEngine engine =
        SmoothingEngine.open(onnx, EngineOptions.defaults().withDevice("cpu"))) {
      assertEquals(3, engine.model().channels());
      assertEquals(16, engine.model().height());
      assertEquals(CLASSES, engine.model().numClasses());
      assertClose(floats("vit_resize.bicubic.logits.f32"), engine.logits(x, BATCH));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"malicious_os_system.pth:os.system", "malicious_eval.pth:builtins.eval"})
  void aPickleThatCallsAnyOtherGlobalIsRefusedWithoutRunningIt(String fixtureAndGlobal)
      throws Exception {
    String[] parts = fixtureAndGlobal.split(":");
    Files.deleteIfExists(PWNED);
    Cli r =
        Cli.run(
            "export",
            "--from-pytorch",
            fixture(parts[0]).toString(),
            "--heads",
            "4",
            "--out",
            dir.resolve("evil.onnx").toString());
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("refused") && r.err().contains("'" + parts[1] + "'"), r.err());
    assertFalse(Files.exists(PWNED), "the pickle's command ran");
    assertFalse(Files.exists(dir.resolve("evil.onnx")));
  }

  @Test
  void aCheckpointWithoutTensorsAtTheTopLevelAsksForTheStateKey() throws Exception {
    Cli r =
        Cli.run(
            "export",
            "--from-pytorch",
            fixture("vit_mean_nested.pth").toString(),
            "--heads",
            "4",
            "--out",
            dir.resolve("m.onnx").toString());
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("--state-key model"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    Cli wrongKey =
        Cli.run(
            "export",
            "--from-pytorch",
            fixture("vit_mean_nested.pth").toString(),
            "--heads",
            "4",
            "--state-key",
            "state_dict",
            "--out",
            dir.resolve("m.onnx").toString());
    assertEquals(2, wrongKey.exitCode(), wrongKey.err());
    assertTrue(wrongKey.err().contains("no key 'state_dict'"), wrongKey.err());
  }

  @Test
  void aShapeMismatchOrAMissingKeyIsNamed() throws Exception {
    Map<String, Tensor> sd;
    Map<String, float[]> values = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    try (PytorchCheckpoint ckpt = PytorchCheckpoint.open(fixture("vit_token.pth"))) {
      sd = ckpt.stateDict(null);
      sd.forEach(
          (k, t) -> {
            values.put(k, t.floats());
            shapes.put(k, t.shape());
          });
    }
    Map<String, long[]> badShapes = new LinkedHashMap<>(shapes);
    Map<String, float[]> badValues = new LinkedHashMap<>(values);
    badShapes.put("blocks.1.attn.proj.weight", new long[] {16, 8});
    badValues.put("blocks.1.attn.proj.weight", new float[16 * 8]);
    Path badShape = writeSafetensors(dir.resolve("bad-shape.safetensors"), badValues, badShapes);
    Cli r =
        Cli.run(
            "export",
            "--from-pytorch",
            badShape.toString(),
            "--heads",
            "4",
            "--out",
            dir.resolve("a.onnx").toString());
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(
        r.err().contains("'blocks.1.attn.proj.weight' has shape [16, 8], expected [16, 16]"),
        r.err());

    Map<String, long[]> fewer = new LinkedHashMap<>(shapes);
    fewer.remove("blocks.1.mlp.fc2.weight");
    Path missing = writeSafetensors(dir.resolve("missing.safetensors"), values, fewer);
    r =
        Cli.run(
            "export",
            "--from-pytorch",
            missing.toString(),
            "--heads",
            "4",
            "--out",
            dir.resolve("b.onnx").toString());
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("missing key 'blocks.1.mlp.fc2.weight'"), r.err());

    Map<String, long[]> extra = new LinkedHashMap<>(shapes);
    Map<String, float[]> extraValues = new LinkedHashMap<>(values);
    extra.put("blocks.0.ls1.gamma", new long[] {16});
    extraValues.put("blocks.0.ls1.gamma", new float[16]);
    Path layerScale = writeSafetensors(dir.resolve("ls.safetensors"), extraValues, extra);
    r =
        Cli.run(
            "export",
            "--from-pytorch",
            layerScale.toString(),
            "--heads",
            "4",
            "--out",
            dir.resolve("c.onnx").toString());
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("blocks.0.ls1.gamma"), r.err());

    r =
        Cli.run(
            "export",
            "--from-pytorch",
            fixture("vit_token.pth").toString(),
            "--heads",
            "3",
            "--out",
            dir.resolve("d.onnx").toString());
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("not divisible by --heads 3"), r.err());

    r =
        Cli.run(
            "export",
            "--from-pytorch",
            fixture("vit_token.pth").toString(),
            "--heads",
            "4",
            "--resize-to",
            "32",
            "--out",
            dir.resolve("e.onnx").toString());
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("pos_embed is for 16x16"), r.err());
  }

  @Test
  void theTrainersOwnExportStillNeedsOneSource() {
    Cli r = Cli.run("export", "--out", dir.resolve("x.onnx").toString());
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("--checkpoint") && r.err().contains("--from-pytorch"), r.err());
    r =
        Cli.run(
            "export",
            "--checkpoint",
            dir.toString(),
            "--heads",
            "4",
            "--out",
            dir.resolve("x.onnx").toString());
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("[--heads] only apply with --from-pytorch"), r.err());
  }

  // ---- helpers ----

  private Path importModel(String fixture, String... options) throws Exception {
    Path onnx = dir.resolve(fixture.replaceAll("\\W", "_") + ".onnx");
    List<String> args =
        new ArrayList<>(
            List.of(
                "export", "--from-pytorch", fixture(fixture).toString(), "--out", onnx.toString()));
    args.addAll(List.of(options));
    Cli r = Cli.run(args.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    return onnx;
  }

  private void assertParity(Path onnx, int size, String expectedLogits) throws Exception {
    float[] x = floats("inputs.f32");
    float[] expected = floats(expectedLogits);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
        OnnxTensor in =
            OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {BATCH, 3, size, size});
        OrtSession.Result r = s.run(Map.of(VitOnnx.INPUT, in))) {
      float[][] out = (float[][]) r.get(0).getValue();
      float[] actual = new float[BATCH * CLASSES];
      for (int i = 0; i < BATCH; i++) System.arraycopy(out[i], 0, actual, i * CLASSES, CLASSES);
      assertClose(expected, actual);
    }
  }

  /** max |Δlogit| < 1e-4 and the same class on every row. */
  private static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    double max = 0;
    for (int i = 0; i < expected.length; i++)
      max = Math.max(max, Math.abs(expected[i] - actual[i]));
    assertTrue(max < TOLERANCE, "max abs logit difference " + max);
    System.out.printf("parity: max |dlogit| = %.2e over %d logits%n", max, expected.length);
    for (int row = 0; row < expected.length / CLASSES; row++) {
      assertEquals(argmax(expected, row), argmax(actual, row), "argmax of row " + row);
    }
    double scale = 0;
    for (float v : expected) scale = Math.max(scale, Math.abs(v));
    assertTrue(scale > 1e-2, "logits are not trivially zero: " + scale);
  }

  private static int argmax(float[] logits, int row) {
    int best = 0;
    for (int k = 1; k < CLASSES; k++)
      if (logits[row * CLASSES + k] > logits[row * CLASSES + best]) best = k;
    return best;
  }

  static Path fixture(String name) throws URISyntaxException {
    var url = PytorchImportTest.class.getResource("/pytorch/" + name);
    if (url == null) throw new IllegalStateException("missing fixture " + name);
    return Path.of(url.toURI());
  }

  private static float[] floats(String name) throws Exception {
    ByteBuffer b =
        ByteBuffer.wrap(Files.readAllBytes(fixture(name))).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[b.remaining() / 4];
    b.asFloatBuffer().get(v);
    return v;
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  /**
   * A float32 .safetensors file with the given tensors (shapes may lie about the values' count).
   */
  private static Path writeSafetensors(
      Path file, Map<String, float[]> values, Map<String, long[]> shapes) throws IOException {
    StringBuilder header = new StringBuilder("{");
    List<float[]> data = new ArrayList<>();
    long offset = 0;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      float[] v = values.get(e.getKey());
      if (header.length() > 1) header.append(',');
      StringBuilder shape = new StringBuilder();
      for (long d : e.getValue()) shape.append(shape.length() == 0 ? "" : ",").append(d);
      header
          .append('"')
          .append(e.getKey())
          .append("\":{\"dtype\":\"F32\",\"shape\":[")
          .append(shape)
          .append("],\"data_offsets\":[")
          .append(offset)
          .append(',')
          .append(offset + 4L * v.length)
          .append("]}");
      offset += 4L * v.length;
      data.add(v);
    }
    byte[] json = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
      out.write(json);
      for (float[] v : data) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        out.write(b.array());
      }
    }
    return file;
  }
}
