package dev.smoothguard.smoothing.data;

import java.util.List;

/**
 * A finite, ordered, random-access set of labelled images, as read from a dataset spec ({@code
 * folder:DIR}, {@code idx:IMAGES[,LABELS]}, {@code cifar:FILE[,FILE...]}). Index i is the image's
 * position in the dataset: the {@code idx} column of certify's TSV.
 */
public interface ImageDataset {
  /** The spec this dataset was opened from, for provenance. */
  String spec();

  int size();

  LabeledImage get(int index);

  /** Class names in label order; generated ("0", "1", ...) when the format has none. */
  List<String> classNames();
}
