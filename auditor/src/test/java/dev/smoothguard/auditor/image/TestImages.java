package dev.smoothguard.auditor.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Builds test images: raw HWC bytes, PNG files, and a PNG header that lies about its size. */
public final class TestImages {
  private TestImages() {}

  public static byte[] randomGrey(int w, int h, int c) {
    byte[] b = new byte[w * h * c];
    new Random(w * 31L + h * 7L + c).nextBytes(b);
    return b;
  }

  /** Encodes HWC bytes as PNG (grey for c=1, RGB for c=3). */
  public static byte[] png(byte[] hwc, int w, int h, int c) {
    BufferedImage img = new BufferedImage(w, h, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * c;
        if (c == 1) {
          img.getRaster().setSample(x, y, 0, hwc[i] & 0xFF);
        } else {
          img.setRGB(x, y, ((hwc[i] & 0xFF) << 16) | ((hwc[i + 1] & 0xFF) << 8) | (hwc[i + 2] & 0xFF));
        }
      }
    }
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A PNG signature and IHDR chunk declaring w x h grey pixels, with no image data after it. */
  public static byte[] pngHeaderOnly(int w, int h) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      DataOutputStream d = new DataOutputStream(out);
      d.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
      ByteArrayOutputStream chunk = new ByteArrayOutputStream();
      DataOutputStream c = new DataOutputStream(chunk);
      c.writeBytes("IHDR");
      c.writeInt(w);
      c.writeInt(h);
      c.writeByte(8); // bit depth
      c.writeByte(0); // grey
      c.writeByte(0);
      c.writeByte(0);
      c.writeByte(0);
      byte[] body = chunk.toByteArray();
      d.writeInt(body.length - 4);
      d.write(body);
      CRC32 crc = new CRC32();
      crc.update(body);
      d.writeInt((int) crc.getValue());
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
