package dev.smoothguard.auditor.image;

import dev.smoothguard.auditor.replay.ImageEvents;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import java.util.zip.CRC32;

/** Builds test images: raw HWC bytes, PNG files, and a PNG header that lies about its size. */
public final class TestImages {
  private TestImages() {}

  public static byte[] randomGrey(int w, int h, int c) {
    byte[] b = new byte[w * h * c];
    new Random(w * 31L + h * 7L + c).nextBytes(b);
    return b;
  }

  /** Encodes HWC bytes as PNG (grey for c=1, RGB for c=3), exactly as replay does. */
  public static byte[] png(byte[] hwc, int w, int h, int c) {
    return ImageEvents.png(hwc, w, h, c);
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
