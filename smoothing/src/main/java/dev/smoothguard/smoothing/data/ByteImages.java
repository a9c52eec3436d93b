package dev.smoothguard.smoothing.data;

import java.util.List;

/**
 * A dataset held as 8-bit pixels (one byte per value, CHW order) and labels; images are turned into
 * [0,1] floats only when asked for, so a 10 000-image test set stays ~30 MB.
 */
record ByteImages(
    String spec,
    int channels,
    int height,
    int width,
    byte[] pixels,
    int[] labels,
    List<String> classNames)
    implements ImageDataset {

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public LabeledImage get(int index) {
    if (index < 0 || index >= labels.length) {
      throw new IndexOutOfBoundsException("image " + index + " of " + labels.length);
    }
    int per = channels * height * width;
    float[] out = new float[per];
    int base = index * per;
    for (int i = 0; i < per; i++) out[i] = (pixels[base + i] & 0xFF) / 255f;
    return new LabeledImage(new Image(channels, height, width, out), labels[index]);
  }
}
