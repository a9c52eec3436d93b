package dev.smoothguard.trainer.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** The pickle reader on hand-assembled pickles (opcodes as CPython's pickletools lists them). */
class WeightsOnlyUnpicklerTest {
  @Test
  void readsPlainDataOfEveryKindAStateDictCheckpointHolds() {
    Pickle p =
        new Pickle()
            .op(0x80)
            .op(2)
            .op('}')
            .op('q')
            .op(0)
            .op('(')
            .str("int")
            .op('J')
            .i32(-70000)
            .str("small")
            .op('K')
            .op(200)
            .str("big")
            .op(0x8a)
            .op(9)
            .bytes(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 1}) // 2^64
            .str("neg")
            .op(0x8a)
            .op(1)
            .op(0xff) // -1
            .str("float")
            .op('G')
            .f64be(0.25)
            .str("flags")
            .op(0x88)
            .op(0x89)
            .op(0x86) // (True, False)
            .str("none")
            .op('N')
            .str("list")
            .op(']')
            .op('q')
            .op(1)
            .op('(')
            .op('K')
            .op(1)
            .op('K')
            .op(2)
            .op('e')
            .str("again")
            .op('h')
            .op(1)
            .op('u')
            .op('.');
    @SuppressWarnings("unchecked")
    Map<Object, Object> m = (Map<Object, Object>) read(p);
    assertEquals(-70000L, m.get("int"));
    assertEquals(200L, m.get("small"));
    assertEquals(BigInteger.ONE.shiftLeft(64), m.get("big"));
    assertEquals(-1L, m.get("neg"));
    assertEquals(0.25, m.get("float"));
    assertEquals(new WeightsOnlyUnpickler.Tuple(List.of(true, false)), m.get("flags"));
    assertNull(m.get("none"));
    assertEquals(List.of(1L, 2L), m.get("list"));
    assertEquals(m.get("list"), m.get("again"));
  }

  @Test
  void aTrainingCheckpointReadsAsDataArgsNamespaceIncluded() throws Exception {
    Path file = Path.of(getClass().getResource("/pytorch/vit_mean_nested.pth").toURI());
    try (PytorchCheckpoint ckpt = PytorchCheckpoint.open(file)) {
      Map<?, ?> root = (Map<?, ?>) ckpt.root();
      assertEquals(
          List.of("model", "optimizer", "epoch", "scaler", "args"), List.copyOf(root.keySet()));
      assertEquals(3L, root.get("epoch"));
      WeightsOnlyUnpickler.Inert args = (WeightsOnlyUnpickler.Inert) root.get("args");
      assertEquals("argparse.Namespace", args.type());
      assertEquals(0.25, args.attributes().get("sigma"));
      assertEquals(Boolean.TRUE, args.attributes().get("global_pool"));
      Map<String, Tensor> sd = ckpt.stateDict("model");
      assertEquals(DType.F16, sd.get("head.weight").dtype());
      assertEquals(DType.BF16, sd.get("fc_norm.weight").dtype());
      assertEquals(DType.F64, sd.get("blocks.1.mlp.fc2.bias").dtype());
      assertEquals(
          List.of(1L, 17L, 16L), Arrays.stream(sd.get("pos_embed").shape()).boxed().toList());
    }
  }

  @Test
  void anAllowedStorageTypeIsDataAndCannotBeCalled() {
    Pickle p =
        new Pickle()
            .op(0x80)
            .op(2)
            .op('c')
            .line("torch")
            .line("FloatStorage")
            .op(')')
            .op('R')
            .op('.');
    CheckpointException e = assertThrows(CheckpointException.class, () -> read(p));
    assertTrue(e.getMessage().contains("cannot call"), e.getMessage());
  }

  @Test
  void aGlobalOffTheListIsRefusedByName() {
    Pickle p = new Pickle().op(0x80).op(2).op('c').line("subprocess").line("Popen").op('.');
    CheckpointException e = assertThrows(CheckpointException.class, () -> read(p));
    assertTrue(
        e.getMessage().contains("refused") && e.getMessage().contains("'subprocess.Popen'"),
        e.getMessage());
  }

  @Test
  void truncatedAndUnknownInputFailsCleanly() {
    CheckpointException truncated =
        assertThrows(
            CheckpointException.class,
            () -> read(new Pickle().op(0x80).op(2).op('X').i32(1000).op('a')));
    assertTrue(truncated.getMessage().contains("beyond the end"), truncated.getMessage());
    CheckpointException unknown =
        assertThrows(
            CheckpointException.class, () -> read(new Pickle().op(0x80).op(2).op('i').op('.')));
    assertTrue(
        unknown.getMessage().contains("unsupported pickle opcode 0x69"), unknown.getMessage());
  }

  /**
   * A damaged or hostile pickle is a user error (one line, exit 2), never a bug: 1500 copies of a
   * real checkpoint's data.pkl with 1-4 random bytes changed either read or fail with a
   * CheckpointException.
   */
  @Test
  void corruptedPicklesFailAsUserErrorsOnly() throws Exception {
    byte[] pickle;
    try (ZipFile zip =
        new ZipFile(
            Path.of(getClass().getResource("/pytorch/vit_mean_nested.pth").toURI()).toFile())) {
      pickle = zip.getInputStream(zip.getEntry("archive/data.pkl")).readAllBytes();
    }
    StorageView.Storage storage =
        new StorageView.Storage() {
          @Override
          public DType dtype() {
            return DType.F32;
          }

          @Override
          public long numel() {
            return 4;
          }

          @Override
          public ByteBuffer bytes() {
            return ByteBuffer.allocate(16);
          }

          @Override
          public String describe() {
            return "stub";
          }
        };
    SplittableRandom rng = new SplittableRandom(5);
    int failed = 0;
    for (int trial = 0; trial < 1500; trial++) {
      byte[] damaged = pickle.clone();
      for (int k = rng.nextInt(1, 5); k > 0; k--)
        damaged[rng.nextInt(damaged.length)] = (byte) rng.nextInt(256);
      try {
        new WeightsOnlyUnpickler(damaged, "fuzz.pkl", (dtype, key, numel) -> storage).load();
      } catch (CheckpointException expected) {
        failed++;
      }
    }
    assertTrue(failed > 100, "most damaged pickles fail: " + failed);
  }

  @Test
  void halfPrecisionConvertsExactly() {
    assertEquals(1.0f, DType.halfToFloat((short) 0x3c00));
    assertEquals(-2.0f, DType.halfToFloat((short) 0xc000));
    assertEquals(65504f, DType.halfToFloat((short) 0x7bff));
    assertEquals(0x1p-24f, DType.halfToFloat((short) 0x0001));
    assertEquals(0x1p-14f, DType.halfToFloat((short) 0x0400));
    assertEquals(Float.NEGATIVE_INFINITY, DType.halfToFloat((short) 0xfc00));
    assertTrue(Float.isNaN(DType.halfToFloat((short) 0x7e00)));
    ByteBuffer bf16 =
        ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 0x3fc0);
    assertEquals(1.5f, DType.BF16.get(bf16, 0));
  }

  private static Object read(Pickle p) {
    return new WeightsOnlyUnpickler(p.out.toByteArray(), "test.pkl", null).load();
  }

  /** A pickle assembled opcode by opcode. */
  private static final class Pickle {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickle op(int b) {
      out.write(b);
      return this;
    }

    Pickle bytes(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    Pickle i32(int v) {
      return bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    Pickle f64be(double v) {
      return bytes(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(v).array());
    }

    /** SHORT_BINUNICODE. */
    Pickle str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return op(0x8c).op(b.length).bytes(b);
    }

    Pickle line(String s) {
      return bytes((s + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }
}
