package dev.smoothguard.auditor.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.auditor.config.ShapePolicy;
import dev.smoothguard.smoothing.data.Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
  private final ImageDecoder grey28 =
      new ImageDecoder(new ModelInput(1, 28, 28), ShapePolicy.REJECT, 4096);

  @Test
  void rawU8IsHwcBytesOver255IntoChw() {
    ImageDecoder rgb = new ImageDecoder(new ModelInput(3, 1, 2), ShapePolicy.REJECT, 100);
    // two pixels, HWC: (255,0,51) (0,102,255)
    byte[] data = {(byte) 255, 0, 51, 0, 102, (byte) 255};
    DecodedImage d = rgb.decode("RAW_U8", 2, 1, 3, data);
    assertArrayEquals(new float[] {1f, 0f, 0f, 0.4f, 0.2f, 1f}, d.image().pixels(), 1e-6f);
    assertFalse(d.resized());
  }

  @Test
  void pngRoundTripMatchesTheRawPixels() {
    byte[] raw = TestImages.randomGrey(28, 28, 1);
    byte[] png = TestImages.png(raw, 28, 28, 1);
    float[] fromPng = grey28.decode("PNG", 28, 28, 1, png).image().pixels();
    float[] fromRaw = grey28.decode("RAW_U8", 28, 28, 1, raw).image().pixels();
    assertArrayEquals(fromRaw, fromPng, 0f);
  }

  @Test
  void rgbPngDecodesToThreePlanes() {
    byte[] raw = TestImages.randomGrey(4, 5, 3);
    ImageDecoder rgb = new ImageDecoder(new ModelInput(3, 5, 4), ShapePolicy.REJECT, 100);
    float[] a = rgb.decode("PNG", 4, 5, 3, TestImages.png(raw, 4, 5, 3)).image().pixels();
    float[] b = rgb.decode("RAW_U8", 4, 5, 3, raw).image().pixels();
    assertArrayEquals(b, a, 0f);
  }

  @Test
  void eachProblemHasItsReason() {
    byte[] raw = TestImages.randomGrey(28, 28, 1);
    byte[] png = TestImages.png(raw, 28, 28, 1);
    assertReason(RejectReason.BAD_IMAGE, () -> grey28.decode("PNG", 28, 28, 1, randomBytes(500)));
    assertReason(
        RejectReason.BAD_IMAGE,
        () -> grey28.decode("PNG", 28, 28, 1, Arrays.copyOf(png, png.length / 2)));
    assertReason(
        RejectReason.BAD_IMAGE,
        () -> grey28.decode("PNG", 28, 28, 1, Arrays.copyOf(png, png.length - 12)));
    assertReason(
        RejectReason.BAD_IMAGE, () -> grey28.decode("RAW_U8", 28, 28, 1, Arrays.copyOf(raw, 700)));
    assertReason(RejectReason.BAD_IMAGE, () -> grey28.decode("RAW_U8", 0, 28, 1, raw));
    assertReason(RejectReason.TOO_LARGE, () -> grey28.decode("PNG", 100_000, 100_000, 1, png));
    assertReason(RejectReason.WRONG_SHAPE, () -> grey28.decode("RAW_U8", 28, 28, 4, raw));
    assertReason(RejectReason.WRONG_SHAPE, () -> grey28.decode("PNG", 28, 28, 3, png));
    assertReason(RejectReason.WRONG_SHAPE, () -> grey28.decode("PNG", 14, 56, 1, png));
    assertReason(
        RejectReason.WRONG_SHAPE,
        () -> grey28.decode("RAW_U8", 14, 14, 1, Arrays.copyOf(raw, 196)));
    assertReason(RejectReason.UNSUPPORTED_ENCODING, () -> grey28.decode("UNKNOWN", 28, 28, 1, raw));
    assertReason(
        RejectReason.UNSUPPORTED_ENCODING, () -> grey28.decode("PNG", 28, 28, 1, new byte[0]));
  }

  @Test
  void aTruncatedJpegIsABadImage() throws Exception {
    var img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 28; y++)
      for (int x = 0; x < 28; x++) img.getRaster().setSample(x, y, 0, (x * y) % 256);
    var out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpeg", out);
    byte[] jpeg = out.toByteArray();
    assertEquals(28, grey28.decode("JPEG", 28, 28, 1, jpeg).image().width());
    assertReason(
        RejectReason.BAD_IMAGE,
        () -> grey28.decode("JPEG", 28, 28, 1, Arrays.copyOf(jpeg, jpeg.length / 2)));
  }

  @Test
  void aPngWhoseHeaderDeclaresAHugeSizeIsRefusedBeforeDecoding() {
    // the event claims 28x28, the PNG header claims 60000x60000: refused from the header
    byte[] bomb = TestImages.pngHeaderOnly(60_000, 60_000);
    assertReason(RejectReason.TOO_LARGE, () -> grey28.decode("PNG", 28, 28, 1, bomb));
  }

  @Test
  void resizePolicyFitsTheModelAndSaysSo() {
    ImageDecoder resize = new ImageDecoder(new ModelInput(1, 28, 28), ShapePolicy.RESIZE, 1 << 20);
    byte[] rgb = new byte[56 * 56 * 3];
    Arrays.fill(rgb, (byte) 255);
    DecodedImage d = resize.decode("RAW_U8", 56, 56, 3, rgb);
    assertTrue(d.resized());
    assertEquals(1, d.image().channels());
    assertEquals(28, d.image().height());
    for (float v : d.image().pixels()) assertEquals(1f, v, 1e-5f);
  }

  @Test
  void bilinearResizeOfARampKeepsItsEnds() {
    float[] ramp = {0f, 1f / 3, 2f / 3, 1f};
    var img = new Image(1, 1, 4, ramp);
    var up = ImageDecoder.resizeBilinear(img, 1, 8);
    assertEquals(0f, up.pixels()[0], 1e-6f);
    assertEquals(1f, up.pixels()[7], 1e-6f);
    for (int i = 1; i < 8; i++) assertTrue(up.pixels()[i] >= up.pixels()[i - 1]);
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(7).nextBytes(b);
    return b;
  }

  private static void assertReason(RejectReason expected, Runnable r) {
    ImageRejectedException e = assertThrows(ImageRejectedException.class, r::run);
    assertEquals(expected, e.reason(), e.getMessage());
  }
}
