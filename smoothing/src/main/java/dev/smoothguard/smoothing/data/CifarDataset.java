package dev.smoothguard.smoothing.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 binary batches: records of 1 label byte + 3072 pixel bytes (1024 R, 1024 G, 1024 B,
 * row-major 32x32), i.e. already CHW. Class names come from {@code batches.meta.txt} beside the
 * first file when present, else the standard CIFAR-10 names.
 */
final class CifarDataset {
  private CifarDataset() {}

  private static final int SIDE = 32;
  private static final int PIXELS = 3 * SIDE * SIDE;
  private static final int RECORD = 1 + PIXELS;
  private static final List<String> CIFAR10 =
      List.of(
          "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

  static ImageDataset open(String spec, List<Path> files) {
    List<byte[]> contents = new ArrayList<>();
    long records = 0;
    for (Path file : files) {
      byte[] raw = Datasets.readAll(file);
      if (raw.length == 0 || raw.length % RECORD != 0) {
        throw new DatasetException(
            file
                + ": "
                + raw.length
                + " bytes is not a whole number of "
                + RECORD
                + "-byte CIFAR-10 records (1 label byte + 3x32x32 pixels)");
      }
      for (int off = 0; off < raw.length; off += RECORD) {
        int label = raw[off] & 0xFF;
        if (label >= CIFAR10.size()) {
          throw new DatasetException(
              file
                  + ": record "
                  + off / RECORD
                  + " has label "
                  + label
                  + ", CIFAR-10 labels are 0..9");
        }
      }
      contents.add(raw);
      records += raw.length / RECORD;
    }
    if (records * PIXELS > Integer.MAX_VALUE) {
      throw new DatasetException(spec + ": too many images (" + records + ") for one dataset");
    }
    int n = (int) records;
    byte[] pixels = new byte[n * PIXELS];
    int[] labels = new int[n];
    int i = 0;
    for (byte[] raw : contents) {
      for (int off = 0; off < raw.length; off += RECORD, i++) {
        labels[i] = raw[off] & 0xFF;
        System.arraycopy(raw, off + 1, pixels, i * PIXELS, PIXELS);
      }
    }
    return new ByteImages(spec, 3, SIDE, SIDE, pixels, labels, classNames(files.get(0)));
  }

  private static List<String> classNames(Path firstFile) {
    Path meta = firstFile.resolveSibling("batches.meta.txt");
    try {
      if (Files.isRegularFile(meta)) {
        List<String> names =
            Files.readAllLines(meta).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (names.size() == CIFAR10.size()) return names;
      }
    } catch (IOException e) {
      // unreadable metadata is not fatal: the standard names are the same
    }
    return CIFAR10;
  }
}
