package dev.smoothguard.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PatchesTest {
  @Test
  void hostAndDjlPatchifyAgreeAndInvert() {
    VitConfig cfg = VitConfig.TINY;
    float[] img = new float[28 * 28];
    for (int i = 0; i < img.length; i++) img[i] = i;
    float[] host = Patches.patchify(img, cfg);
    // patch (row 1, col 2) starts at pixel (7, 14)
    assertEquals(7 * 28 + 14, host[(1 * 4 + 2) * 49], 0);
    assertArrayEquals(img, Patches.unpatchify(host, cfg), 0);
    try (NDManager m = NDManager.newBaseManager()) {
      float[] djl = Patches.patchify(m.create(img, new Shape(1, 1, 28, 28)), cfg).toFloatArray();
      assertArrayEquals(host, djl, 0);
    }
  }

  @Test
  void classTokenPositionIsZeroAndPatchRowsDiffer() {
    float[] t = SinCosPositions.table(4, 8);
    for (int i = 0; i < 8; i++) assertEquals(0, t[i], 0);
    // patch (0,0): sin(0)=0, cos(0)=1 in both halves
    assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 1, 1}, Arrays.copyOfRange(t, 8, 16), 1e-7f);
  }
}
