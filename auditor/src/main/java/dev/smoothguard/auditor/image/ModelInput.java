package dev.smoothguard.auditor.image;

/** The input shape [C, H, W] the model expects. */
public record ModelInput(int channels, int height, int width) {
  public ModelInput {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("model input must have 1 or 3 channels, got " + channels);
    }
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "model input size must be positive, got " + height + "x" + width);
    }
  }

  @Override
  public String toString() {
    return channels + "x" + height + "x" + width;
  }
}
