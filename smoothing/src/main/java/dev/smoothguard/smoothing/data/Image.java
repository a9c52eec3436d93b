package dev.smoothguard.smoothing.data;

/**
 * One image, channels first (CHW), pixels in [0,1]: the space in which the smoothing noise is
 * added, so every certified radius is in these units.
 */
public record Image(int channels, int height, int width, float[] pixels) {
  public Image {
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "image shape must be positive, got " + channels + "x" + height + "x" + width);
    }
    if (pixels.length != channels * height * width) {
      throw new IllegalArgumentException(
          "image of shape "
              + channels
              + "x"
              + height
              + "x"
              + width
              + " needs "
              + channels * height * width
              + " pixels, got "
              + pixels.length);
    }
  }

  /** Shape as ONNX expects it for a batch of one: [1, C, H, W]. */
  public long[] batchShape() {
    return new long[] {1, channels, height, width};
  }
}
