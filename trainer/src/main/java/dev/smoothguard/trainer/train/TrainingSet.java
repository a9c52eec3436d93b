package dev.smoothguard.trainer.train;

import dev.smoothguard.smoothing.data.Datasets;
import dev.smoothguard.smoothing.data.ImageDataset;
import dev.smoothguard.smoothing.data.LabeledImage;
import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.trainer.model.VitConfig;
import java.util.Arrays;
import java.util.List;

/**
 * A dataset preloaded into one float array (N x C x H x W, pixels in [0,1]) for fast batch
 * assembly, checked against the model configuration when it is opened.
 */
public record TrainingSet(
    String spec,
    int size,
    int channels,
    int imageSize,
    float[] pixels,
    int[] labels,
    List<String> classNames) {

  /**
   * Opens {@code spec} through the engine's dataset readers, keeping at most {@code max} images.
   */
  public static TrainingSet open(String spec, VitConfig cfg, int max) {
    ImageDataset ds = Datasets.open(spec);
    int n = max > 0 ? Math.min(max, ds.size()) : ds.size();
    if (n == 0) throw new UserError(spec + ": the dataset is empty");
    LabeledImage first = ds.get(0);
    cfg.checkImage(
        first.image().channels(), first.image().height(), first.image().width(), "dataset " + spec);
    int per = cfg.channels() * cfg.imageSize() * cfg.imageSize();
    float[] pixels = new float[n * per];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      LabeledImage li = ds.get(i);
      var img = li.image();
      cfg.checkImage(img.channels(), img.height(), img.width(), "image " + i + " of " + spec);
      System.arraycopy(img.pixels(), 0, pixels, i * per, per);
      labels[i] = li.label();
    }
    return new TrainingSet(
        spec, n, cfg.channels(), cfg.imageSize(), pixels, labels, ds.classNames());
  }

  public int pixelsPerImage() {
    return channels * imageSize * imageSize;
  }

  /** A copy of image i's CHW pixels. */
  public float[] image(int i) {
    int per = pixelsPerImage();
    return Arrays.copyOfRange(pixels, i * per, (i + 1) * per);
  }

  /** Fails unless every image has a label in 0..k-1. */
  public int checkLabels() {
    int k = 0;
    for (int i = 0; i < size; i++) {
      if (labels[i] < 0)
        throw new UserError(
            spec + ": image " + i + " has no label; fine-tuning needs labels (idx:IMAGES,LABELS)");
      k = Math.max(k, labels[i] + 1);
    }
    return Math.max(k, classNames.size());
  }
}
