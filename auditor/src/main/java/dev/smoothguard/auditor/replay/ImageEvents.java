package dev.smoothguard.auditor.replay;

import dev.smoothguard.schemas.v1.ImageEncoding;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.smoothing.data.Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import javax.imageio.ImageIO;

/** Turns dataset images back into ImageEvents (8-bit pixels, PNG or RAW_U8 HWC). */
public final class ImageEvents {
  static {
    ImageIO.setUseCache(false);
  }

  private ImageEvents() {}

  public static ImageEvent of(
      String id, Image image, Integer label, ImageEncoding encoding, String source, Instant time) {
    byte[] hwc = toHwcBytes(image);
    byte[] data =
        switch (encoding) {
          case RAW_U8 -> hwc;
          case PNG -> png(hwc, image.width(), image.height(), image.channels());
          default ->
              throw new IllegalArgumentException("replay writes PNG or RAW_U8, not " + encoding);
        };
    return ImageEvent.newBuilder()
        .setId(id)
        .setEventTime(time)
        .setSource(source)
        .setEncoding(encoding)
        .setWidth(image.width())
        .setHeight(image.height())
        .setChannels(image.channels())
        .setData(ByteBuffer.wrap(data))
        .setUri(null)
        .setLabel(label)
        .setAttributes(Map.of())
        .build();
  }

  /** CHW floats in [0,1] to HWC bytes (round(v*255), clamped). */
  public static byte[] toHwcBytes(Image image) {
    int c = image.channels(), plane = image.height() * image.width();
    float[] px = image.pixels();
    byte[] out = new byte[c * plane];
    for (int i = 0; i < plane; i++) {
      for (int ch = 0; ch < c; ch++) {
        int v = Math.round(px[ch * plane + i] * 255f);
        out[i * c + ch] = (byte) Math.max(0, Math.min(255, v));
      }
    }
    return out;
  }

  public static byte[] png(byte[] hwc, int w, int h, int c) {
    if (c != 1 && c != 3) throw new IllegalArgumentException("PNG needs 1 or 3 channels, got " + c);
    BufferedImage img =
        new BufferedImage(w, h, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * c;
        if (c == 1) {
          img.getRaster().setSample(x, y, 0, hwc[i] & 0xFF);
        } else {
          img.setRGB(
              x, y, ((hwc[i] & 0xFF) << 16) | ((hwc[i + 1] & 0xFF) << 8) | (hwc[i + 2] & 0xFF));
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
}
