package dev.smoothguard.smoothing.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * The one rule for turning a decoded PNG/JPEG into model input, shared by the dataset readers and
 * the stream's image decoder: grayscale stays one channel, anything else becomes RGB; values are
 * divided by the format's maximum (255 for 8 bits, 65535 for 16-bit grayscale).
 */
public final class DecodedPixels {
  private DecodedPixels() {}

  /** Channels the image will have: 1 for grayscale, 3 otherwise. */
  public static int channelsOf(BufferedImage img) {
    return img.getColorModel().getNumColorComponents() == 1 ? 1 : 3;
  }

  /** CHW floats in [0,1]. */
  public static Image toChw(BufferedImage img) {
    int h = img.getHeight(), w = img.getWidth(), plane = h * w;
    if (channelsOf(img) == 1) {
      Raster r = img.getRaster();
      float max = (1 << img.getColorModel().getComponentSize(0)) - 1;
      float[] px = new float[plane];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) px[y * w + x] = r.getSample(x, y, 0) / max;
      }
      return new Image(1, h, w, px);
    }
    float[] px = new float[3 * plane];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int argb = img.getRGB(x, y);
        int i = y * w + x;
        px[i] = ((argb >> 16) & 0xFF) / 255f;
        px[plane + i] = ((argb >> 8) & 0xFF) / 255f;
        px[2 * plane + i] = (argb & 0xFF) / 255f;
      }
    }
    return new Image(3, h, w, px);
  }
}
