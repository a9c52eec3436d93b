package dev.smoothguard.trainer;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Writes small MNIST-style IDX files (random pixels, labels 0..k-1) for tests. */
final class IdxFiles {
  private IdxFiles() {}

  /** Returns the spec {@code idx:IMAGES,LABELS} of n random size x size images. */
  static String write(Path dir, String stem, int n, int size, int labels, int classes, long seed)
      throws IOException {
    Random rng = new Random(seed);
    Path images = dir.resolve(stem + "-images-idx3-ubyte");
    Path labelFile = dir.resolve(stem + "-labels-idx1-ubyte");
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(images))) {
      out.writeInt(0x803);
      out.writeInt(n);
      out.writeInt(size);
      out.writeInt(size);
      byte[] px = new byte[n * size * size];
      rng.nextBytes(px);
      out.write(px);
    }
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(labelFile))) {
      out.writeInt(0x801);
      out.writeInt(labels);
      for (int i = 0; i < labels; i++) out.writeByte(i % classes);
    }
    return "idx:" + images + "," + labelFile;
  }
}
