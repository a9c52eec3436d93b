package dev.smoothguard.smoothing.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens a dataset from a spec string:
 *
 * <ul>
 *   <li>{@code folder:DIR} one subfolder per class (sorted names are labels 0..K-1), PNG/JPEG files
 *       in sorted name order;
 *   <li>{@code idx:IMAGES[,LABELS]} MNIST / Fashion-MNIST IDX files, gzipped or not;
 *   <li>{@code cifar:FILE[,FILE...]} CIFAR-10 binary batches, concatenated in the given order.
 * </ul>
 */
public final class Datasets {
  private Datasets() {}

  public static ImageDataset open(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new DatasetException(
          "empty dataset spec; use folder:DIR, idx:IMAGES[,LABELS] or cifar:FILE[,FILE...]");
    }
    int colon = spec.indexOf(':');
    String kind = colon < 0 ? "" : spec.substring(0, colon);
    String rest = colon < 0 ? "" : spec.substring(colon + 1);
    List<Path> files = paths(rest);
    switch (kind) {
      case "folder":
        if (files.size() != 1)
          throw new DatasetException("folder: takes one directory, got '" + rest + "'");
        return FolderDataset.open(spec, files.get(0));
      case "idx":
        if (files.isEmpty() || files.size() > 2) {
          throw new DatasetException("idx: takes IMAGES[,LABELS], got '" + rest + "'");
        }
        return IdxDataset.open(spec, files.get(0), files.size() == 2 ? files.get(1) : null);
      case "cifar":
        if (files.isEmpty()) throw new DatasetException("cifar: needs at least one batch file");
        return CifarDataset.open(spec, files);
      default:
        throw new DatasetException(
            "unknown dataset spec '"
                + spec
                + "'; use folder:DIR, idx:IMAGES[,LABELS] or cifar:FILE[,FILE...]");
    }
  }

  private static List<Path> paths(String commaSeparated) {
    List<Path> out = new ArrayList<>();
    for (String part : commaSeparated.split(",")) {
      if (!part.isBlank()) out.add(Path.of(part.trim()));
    }
    return out;
  }

  /** Reads a whole file or fails with a message naming it. */
  static byte[] readAll(Path file) {
    if (!Files.exists(file)) throw new DatasetException(file + ": no such file");
    if (!Files.isRegularFile(file)) throw new DatasetException(file + ": not a regular file");
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DatasetException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  /** "0".."k-1", for formats that carry no class names. */
  static List<String> numberedClasses(int k) {
    List<String> names = new ArrayList<>(k);
    for (int i = 0; i < k; i++) names.add(Integer.toString(i));
    return List.copyOf(names);
  }
}
