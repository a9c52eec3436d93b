package dev.smoothguard.auditor.image;

import dev.smoothguard.auditor.config.ShapePolicy;
import dev.smoothguard.smoothing.data.DecodedPixels;
import dev.smoothguard.smoothing.data.Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns the bytes of an image event into the model's input: decodes PNG/JPEG (ImageIO) or RAW_U8
 * (HWC bytes), checks them against the declared size and channels, the pixel limit and the model's
 * shape, and applies the shape policy. Pixels become CHW floats value/255 in [0,1], the space the
 * noise is added in. Every failure is an {@link ImageRejectedException} with a reason; nothing else
 * escapes.
 */
public final class ImageDecoder {
  static {
    ImageIO.setUseCache(false); // decode in memory: no temp files under load
  }

  private final ModelInput model;
  private final ShapePolicy policy;
  private final long maxPixels;

  public ImageDecoder(ModelInput model, ShapePolicy policy, long maxPixels) {
    this.model = model;
    this.policy = policy;
    this.maxPixels = maxPixels;
  }

  /**
   * @param encoding PNG, JPEG or RAW_U8 (anything else is UNSUPPORTED_ENCODING)
   * @param width declared width
   * @param height declared height
   * @param channels declared channels (1 or 3)
   * @param data the encoded bytes
   */
  public DecodedImage decode(String encoding, int width, int height, int channels, byte[] data) {
    if (width <= 0 || height <= 0) {
      throw new ImageRejectedException(
          RejectReason.BAD_IMAGE, "declared size " + width + "x" + height + " is not positive");
    }
    checkPixels((long) width * height, "declared");
    if (channels != 1 && channels != 3) {
      throw new ImageRejectedException(
          RejectReason.WRONG_SHAPE,
          "declared channels " + channels + " (supported: 1 grey, 3 RGB)");
    }
    if (data == null || data.length == 0) {
      throw new ImageRejectedException(
          RejectReason.UNSUPPORTED_ENCODING,
          "no inline image data (image URIs are not supported yet)");
    }
    Image image =
        switch (encoding == null ? "" : encoding.toUpperCase(Locale.ROOT)) {
          case "RAW_U8" -> raw(width, height, channels, data);
          case "PNG", "JPEG" -> encoded(encoding, width, height, channels, data);
          default ->
              throw new ImageRejectedException(
                  RejectReason.UNSUPPORTED_ENCODING,
                  "encoding '" + encoding + "' is not supported (PNG, JPEG, RAW_U8)");
        };
    return fitToModel(image);
  }

  private void checkPixels(long pixels, String what) {
    if (pixels > maxPixels) {
      throw new ImageRejectedException(
          RejectReason.TOO_LARGE,
          what + " size of " + pixels + " pixels exceeds max.pixels=" + maxPixels);
    }
  }

  private static Image raw(int w, int h, int c, byte[] data) {
    long expected = (long) w * h * c;
    if (data.length != expected) {
      throw new ImageRejectedException(
          RejectReason.BAD_IMAGE,
          "RAW_U8 " + w + "x" + h + "x" + c + " needs " + expected + " bytes, got " + data.length);
    }
    float[] px = new float[(int) expected];
    int plane = w * h;
    for (int i = 0; i < plane; i++) {
      for (int ch = 0; ch < c; ch++) px[ch * plane + i] = (data[i * c + ch] & 0xFF) / 255f;
    }
    return new Image(c, h, w, px);
  }

  private static final byte[] PNG_END = {
    0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82
  };

  private Image encoded(String encoding, int w, int h, int c, byte[] data) {
    BufferedImage img;
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (in == null || !readers.hasNext()) {
        throw new ImageRejectedException(
            RejectReason.BAD_IMAGE,
            "bytes are not a " + encoding + " image (no decoder recognises them)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        // a truncated JPEG decodes with a warning ("premature end"), not an error: refuse it
        reader.addIIOReadWarningListener(
            (source, warning) -> {
              throw new ImageRejectedException(
                  RejectReason.BAD_IMAGE, encoding + " is damaged: " + warning);
            });
        // the header's size, before any pixel is decoded: a bomb is refused here
        long headerW = reader.getWidth(0), headerH = reader.getHeight(0);
        checkPixels(headerW * headerH, "encoded");
        // ImageIO decodes a PNG cut after its last pixel data without complaint; a PNG ends with
        // IEND
        if (encoding.equalsIgnoreCase("PNG") && !endsWith(data, PNG_END)) {
          throw new ImageRejectedException(
              RejectReason.BAD_IMAGE, "PNG is truncated (no IEND chunk at its end)");
        }
        img = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (ImageRejectedException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new ImageRejectedException(
          RejectReason.BAD_IMAGE, encoding + " does not decode: " + e.getMessage(), e);
    }
    if (img == null) {
      throw new ImageRejectedException(RejectReason.BAD_IMAGE, encoding + " does not decode");
    }
    int dw = img.getWidth(), dh = img.getHeight();
    int dc = DecodedPixels.channelsOf(img);
    if (dw != w || dh != h || dc != c) {
      throw new ImageRejectedException(
          RejectReason.WRONG_SHAPE,
          "decoded "
              + dw
              + "x"
              + dh
              + "x"
              + dc
              + " contradicts the declared "
              + w
              + "x"
              + h
              + "x"
              + c);
    }
    return DecodedPixels.toChw(img);
  }

  private static boolean endsWith(byte[] data, byte[] suffix) {
    if (data.length < suffix.length) return false;
    for (int i = 0; i < suffix.length; i++) {
      if (data[data.length - suffix.length + i] != suffix[i]) return false;
    }
    return true;
  }

  private DecodedImage fitToModel(Image image) {
    boolean same =
        image.channels() == model.channels()
            && image.height() == model.height()
            && image.width() == model.width();
    if (same) return new DecodedImage(image, false);
    if (policy == ShapePolicy.REJECT) {
      throw new ImageRejectedException(
          RejectReason.WRONG_SHAPE,
          "image "
              + image.channels()
              + "x"
              + image.height()
              + "x"
              + image.width()
              + " does not fit the model's input "
              + model
              + " (shape.policy=reject)");
    }
    Image converted = convertChannels(image, model.channels());
    return new DecodedImage(resizeBilinear(converted, model.height(), model.width()), true);
  }

  /** Grey to RGB by copying the plane; RGB to grey by ITU-R BT.601 luma. */
  static Image convertChannels(Image image, int channels) {
    if (image.channels() == channels) return image;
    int plane = image.height() * image.width();
    float[] in = image.pixels();
    float[] out = new float[channels * plane];
    if (channels == 3) {
      for (int ch = 0; ch < 3; ch++) System.arraycopy(in, 0, out, ch * plane, plane);
    } else {
      for (int i = 0; i < plane; i++) {
        out[i] = 0.299f * in[i] + 0.587f * in[plane + i] + 0.114f * in[2 * plane + i];
      }
    }
    return new Image(channels, image.height(), image.width(), out);
  }

  /** Bilinear resize with half-pixel centres (PyTorch's align_corners=False), per channel. */
  static Image resizeBilinear(Image image, int outH, int outW) {
    int inH = image.height(), inW = image.width(), c = image.channels();
    if (inH == outH && inW == outW) return image;
    float[] in = image.pixels();
    float[] out = new float[c * outH * outW];
    float sy = (float) inH / outH, sx = (float) inW / outW;
    for (int y = 0; y < outH; y++) {
      float fy = Math.max(0f, (y + 0.5f) * sy - 0.5f);
      int y0 = Math.min((int) fy, inH - 1), y1 = Math.min(y0 + 1, inH - 1);
      float wy = fy - y0;
      for (int x = 0; x < outW; x++) {
        float fx = Math.max(0f, (x + 0.5f) * sx - 0.5f);
        int x0 = Math.min((int) fx, inW - 1), x1 = Math.min(x0 + 1, inW - 1);
        float wx = fx - x0;
        for (int ch = 0; ch < c; ch++) {
          int base = ch * inH * inW;
          float top = in[base + y0 * inW + x0] * (1 - wx) + in[base + y0 * inW + x1] * wx;
          float bottom = in[base + y1 * inW + x0] * (1 - wx) + in[base + y1 * inW + x1] * wx;
          out[ch * outH * outW + y * outW + x] = top * (1 - wy) + bottom * wy;
        }
      }
    }
    return new Image(c, outH, outW, out);
  }
}
