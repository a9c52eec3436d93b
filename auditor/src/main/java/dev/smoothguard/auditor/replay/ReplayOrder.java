package dev.smoothguard.auditor.replay;

import dev.smoothguard.smoothing.data.ImageDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The order in which a dataset's images are sent. Datasets read from class folders are sorted by
 * class, so the first N images of a replay are all one class; {@link #INTERLEAVED} takes one image
 * of each class in turn, which is what a live stream looks like.
 */
public enum ReplayOrder {
  /** Dataset order (class folders: class, then file). */
  DATASET,
  /** Round robin over the labels: the first image of each class, then the second, ... */
  INTERLEAVED;

  /** Dataset positions in this order; every position exactly once. */
  public int[] indices(ImageDataset data) {
    int[] out = new int[data.size()];
    if (this == DATASET) {
      for (int i = 0; i < out.length; i++) out[i] = i;
      return out;
    }
    TreeMap<Integer, List<Integer>> byLabel = new TreeMap<>();
    for (int i = 0; i < data.size(); i++) {
      byLabel.computeIfAbsent(data.get(i).label(), k -> new ArrayList<>()).add(i);
    }
    int k = 0;
    for (int round = 0; k < out.length; round++) {
      for (List<Integer> positions : byLabel.values()) {
        if (round < positions.size()) out[k++] = positions.get(round);
      }
    }
    return out;
  }
}
