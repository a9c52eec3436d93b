package dev.smoothguard.smoothing.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * MNIST-style IDX files: images {@code 0x00000803} (unsigned bytes, N x H x W) and labels {@code
 * 0x00000801} (N unsigned bytes). Gzip is detected from the file's first bytes. Without a labels
 * file every label is -1 (unknown).
 */
final class IdxDataset {
  private IdxDataset() {}

  static ImageDataset open(String spec, Path imagesFile, Path labelsFile) {
    ByteBuffer images = ByteBuffer.wrap(decompressed(imagesFile));
    int[] dims = header(imagesFile, images, 3);
    int n = dims[0], h = dims[1], w = dims[2];
    long expected = 16L + (long) n * h * w;
    if (images.capacity() != expected) {
      throw new DatasetException(
          imagesFile
              + ": IDX header says "
              + n
              + " images of "
              + h
              + "x"
              + w
              + " ("
              + expected
              + " bytes) but the data has "
              + images.capacity()
              + " bytes");
    }
    if (h <= 0 || w <= 0) throw new DatasetException(imagesFile + ": image size " + h + "x" + w);
    byte[] pixels = Arrays.copyOfRange(images.array(), 16, images.capacity());

    int[] labels = new int[n];
    int k = 0;
    if (labelsFile == null) {
      Arrays.fill(labels, -1);
    } else {
      ByteBuffer lab = ByteBuffer.wrap(decompressed(labelsFile));
      int[] ldims = header(labelsFile, lab, 1);
      if (ldims[0] != n) {
        throw new DatasetException(
            labelsFile + ": " + ldims[0] + " labels for " + n + " images in " + imagesFile);
      }
      if (lab.capacity() != 8L + n) {
        throw new DatasetException(
            labelsFile
                + ": IDX header says "
                + n
                + " labels but the data has "
                + (lab.capacity() - 8)
                + " bytes after the header");
      }
      for (int i = 0; i < n; i++) {
        labels[i] = lab.get(8 + i) & 0xFF;
        k = Math.max(k, labels[i] + 1);
      }
    }
    return new ByteImages(spec, 1, h, w, pixels, labels, Datasets.numberedClasses(k));
  }

  /** Checks the magic number (unsigned byte data, the expected rank) and returns the dims. */
  private static int[] header(Path file, ByteBuffer buf, int rank) {
    int headerBytes = 4 + 4 * rank;
    int expected = 0x0800 | rank;
    int magic = buf.capacity() >= 4 ? buf.getInt(0) : -1;
    if (magic != expected) {
      throw new DatasetException(
          file
              + ": not an IDX file of unsigned bytes with "
              + rank
              + " dimension(s) (magic 0x"
              + String.format("%08x", magic)
              + ", expected 0x"
              + String.format("%08x", expected)
              + ")");
    }
    if (buf.capacity() < headerBytes) {
      throw new DatasetException(
          file + ": too short for an IDX header (" + buf.capacity() + " bytes)");
    }
    int[] dims = new int[rank];
    for (int d = 0; d < rank; d++) {
      dims[d] = buf.getInt(4 + 4 * d);
      if (dims[d] < 0) throw new DatasetException(file + ": negative dimension " + dims[d]);
    }
    return dims;
  }

  private static byte[] decompressed(Path file) {
    byte[] raw = Datasets.readAll(file);
    boolean gzip = raw.length >= 2 && (raw[0] & 0xFF) == 0x1f && (raw[1] & 0xFF) == 0x8b;
    if (!gzip) return raw;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new DatasetException(file + ": broken gzip data (" + e.getMessage() + ")", e);
    }
  }
}
