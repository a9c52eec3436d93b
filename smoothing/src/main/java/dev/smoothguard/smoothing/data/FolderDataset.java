package dev.smoothguard.smoothing.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * One subfolder per class; sorted subfolder names are the labels 0..K-1, files inside in sorted
 * name order, dataset order = class order then file order. PNG and JPEG are decoded when an image
 * is asked for; grayscale stays one channel, colour becomes RGB (alpha dropped).
 */
record FolderDataset(String spec, List<Path> files, int[] labels, List<String> classNames)
    implements ImageDataset {

  static ImageDataset open(String spec, Path dir) {
    if (!Files.isDirectory(dir)) throw new DatasetException(dir + ": not a directory");
    List<Path> classDirs;
    try (Stream<Path> s = Files.list(dir)) {
      classDirs = s.filter(Files::isDirectory).sorted(FolderDataset::byName).toList();
    } catch (IOException e) {
      throw new DatasetException(dir + ": cannot list (" + e.getMessage() + ")", e);
    }
    if (classDirs.isEmpty()) {
      throw new DatasetException(dir + ": no class subfolders (expected one folder per class)");
    }
    List<Path> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int label = 0; label < classDirs.size(); label++) {
      Path classDir = classDirs.get(label);
      names.add(classDir.getFileName().toString());
      try (Stream<Path> s = Files.list(classDir)) {
        for (Path f : s.filter(FolderDataset::isImageFile).sorted(FolderDataset::byName).toList()) {
          files.add(f);
          labels.add(label);
        }
      } catch (IOException e) {
        throw new DatasetException(classDir + ": cannot list (" + e.getMessage() + ")", e);
      }
    }
    if (files.isEmpty())
      throw new DatasetException(dir + ": no PNG or JPEG files in its class folders");
    return new FolderDataset(
        spec,
        List.copyOf(files),
        labels.stream().mapToInt(Integer::intValue).toArray(),
        List.copyOf(names));
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public LabeledImage get(int index) {
    return new LabeledImage(decode(files.get(index)), labels[index]);
  }

  /** Decodes PNG/JPEG to CHW floats in [0,1]: 8-bit values / 255 (16-bit values / 65535). */
  static Image decode(Path file) {
    BufferedImage img;
    try {
      img = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new DatasetException(file + ": cannot decode image (" + e.getMessage() + ")", e);
    }
    if (img == null) throw new DatasetException(file + ": not a PNG or JPEG image");
    return DecodedPixels.toChw(img);
  }

  private static boolean isImageFile(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(p)
        && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
  }

  private static int byName(Path a, Path b) {
    return a.getFileName().toString().compareTo(b.getFileName().toString());
  }
}
