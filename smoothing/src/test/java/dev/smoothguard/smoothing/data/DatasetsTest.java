package dev.smoothguard.smoothing.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
  @TempDir Path dir;

  // ---------- IDX ----------

  static byte[] idxImages(int n, int h, int w) {
    ByteBuffer b = ByteBuffer.allocate(16 + n * h * w);
    b.putInt(0x00000803).putInt(n).putInt(h).putInt(w);
    for (int i = 0; i < n * h * w; i++) b.put((byte) (i * 7 % 256));
    return b.array();
  }

  static byte[] idxLabels(int... labels) {
    ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
    b.putInt(0x00000801).putInt(labels.length);
    for (int l : labels) b.put((byte) l);
    return b.array();
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(raw);
    }
    return bytes.toByteArray();
  }

  @Test
  void idxPlainAndGzippedGiveTheSamePixelsAndLabels() throws IOException {
    Path img = Files.write(dir.resolve("img"), idxImages(3, 2, 4));
    Path lab = Files.write(dir.resolve("lab.gz"), gzip(idxLabels(4, 0, 9)));
    Path imgGz = Files.write(dir.resolve("img.gz"), gzip(idxImages(3, 2, 4)));

    ImageDataset plain = Datasets.open("idx:" + img + "," + lab);
    ImageDataset zipped = Datasets.open("idx:" + imgGz + "," + lab);
    assertEquals(3, plain.size());
    assertEquals(10, plain.classNames().size());
    LabeledImage second = plain.get(1);
    assertEquals(0, second.label());
    assertEquals(1, second.image().channels());
    assertEquals(2, second.image().height());
    assertEquals(4, second.image().width());
    // pixel j of image i is ((i*8 + j) * 7 % 256) / 255
    assertEquals((8 * 7 % 256) / 255f, second.image().pixels()[0], 0f);
    assertEquals((15 * 7 % 256) / 255f, second.image().pixels()[7], 0f);
    assertArrayEquals(second.image().pixels(), zipped.get(1).image().pixels());
    assertEquals(9, zipped.get(2).label());
  }

  @Test
  void idxWithoutLabelsHasUnknownLabels() throws IOException {
    Path img = Files.write(dir.resolve("img"), idxImages(2, 3, 3));
    ImageDataset ds = Datasets.open("idx:" + img);
    assertEquals(-1, ds.get(0).label());
  }

  @Test
  void idxErrorsNameTheFileAndProblem() throws IOException {
    Path truncated = Files.write(dir.resolve("trunc"), Arrays.copyOf(idxImages(3, 2, 2), 20));
    DatasetException e =
        assertThrows(DatasetException.class, () -> Datasets.open("idx:" + truncated));
    assertTrue(
        e.getMessage().contains(truncated.toString()) && e.getMessage().contains("bytes"),
        e.getMessage());

    Path labelsAsImages = Files.write(dir.resolve("labels-not-images"), idxLabels(1, 2));
    e = assertThrows(DatasetException.class, () -> Datasets.open("idx:" + labelsAsImages));
    assertTrue(e.getMessage().contains("magic"), e.getMessage());

    Path img = Files.write(dir.resolve("img"), idxImages(3, 2, 2));
    Path fewLabels = Files.write(dir.resolve("lab"), idxLabels(1, 2));
    e = assertThrows(DatasetException.class, () -> Datasets.open("idx:" + img + "," + fewLabels));
    assertTrue(e.getMessage().contains("2 labels for 3 images"), e.getMessage());

    Path badGzip = Files.write(dir.resolve("bad.gz"), new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
    e = assertThrows(DatasetException.class, () -> Datasets.open("idx:" + badGzip));
    assertTrue(
        e.getMessage().contains("gzip") && e.getMessage().contains("bad.gz"), e.getMessage());

    e = assertThrows(DatasetException.class, () -> Datasets.open("idx:" + dir.resolve("missing")));
    assertTrue(
        e.getMessage().contains("missing") && e.getMessage().contains("no such file"),
        e.getMessage());
  }

  @Test
  void unknownSpecIsRejected() {
    DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open("zip:/x"));
    assertTrue(e.getMessage().contains("folder:DIR"), e.getMessage());
  }

  // ---------- CIFAR ----------

  static byte[] cifarRecords(int... labels) {
    byte[] out = new byte[labels.length * 3073];
    for (int r = 0; r < labels.length; r++) {
      out[r * 3073] = (byte) labels[r];
      for (int p = 0; p < 3072; p++) out[r * 3073 + 1 + p] = (byte) ((p + r) % 256);
    }
    return out;
  }

  @Test
  void cifarBatchesConcatenateInOrderAndAreChannelsFirst() throws IOException {
    Path a = Files.write(dir.resolve("data_batch_1.bin"), cifarRecords(3, 7));
    Path b = Files.write(dir.resolve("data_batch_2.bin"), cifarRecords(1));
    ImageDataset ds = Datasets.open("cifar:" + a + "," + b);
    assertEquals(3, ds.size());
    assertEquals(
        List.of(3, 7, 1), List.of(ds.get(0).label(), ds.get(1).label(), ds.get(2).label()));
    Image first = ds.get(0).image();
    assertEquals(3, first.channels());
    assertEquals(32, first.height());
    // red plane of image 0 first, then green from index 1024
    assertEquals(5 / 255f, first.pixels()[5], 0f);
    assertEquals((1024 + 5) % 256 / 255f, first.pixels()[1024 + 5], 0f);
    assertEquals("cat", ds.classNames().get(3));
  }

  @Test
  void cifarErrorsNameTheFile() throws IOException {
    Path shortFile = Files.write(dir.resolve("short.bin"), new byte[3000]);
    DatasetException e =
        assertThrows(DatasetException.class, () -> Datasets.open("cifar:" + shortFile));
    assertTrue(
        e.getMessage().contains("short.bin") && e.getMessage().contains("3073"), e.getMessage());

    Path badLabel = Files.write(dir.resolve("label.bin"), cifarRecords(12));
    e = assertThrows(DatasetException.class, () -> Datasets.open("cifar:" + badLabel));
    assertTrue(e.getMessage().contains("label 12"), e.getMessage());
  }

  // ---------- folder ----------

  @Test
  void folderUsesSortedClassesAndFilesGrayAndColour() throws IOException {
    Path root = dir.resolve("ds");
    Path b = Files.createDirectories(root.resolve("b_dog"));
    Path a = Files.createDirectories(root.resolve("a_cat"));
    BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(2, 1, 0, 51);
    ImageIO.write(gray, "png", b.resolve("02.png").toFile());
    ImageIO.write(gray, "png", b.resolve("01.png").toFile());
    BufferedImage rgb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
    rgb.setRGB(1, 0, (255 << 16) | (0 << 8) | 102);
    ImageIO.write(rgb, "png", a.resolve("z.png").toFile());
    Files.writeString(a.resolve("notes.txt"), "ignored");

    ImageDataset ds = Datasets.open("folder:" + root);
    assertEquals(List.of("a_cat", "b_dog"), ds.classNames());
    assertEquals(3, ds.size());
    LabeledImage colour = ds.get(0);
    assertEquals(0, colour.label());
    assertEquals(3, colour.image().channels());
    assertEquals(1f, colour.image().pixels()[1], 0f); // R at (x=1,y=0)
    assertEquals(0f, colour.image().pixels()[4 + 1], 0f); // G plane
    assertEquals(102 / 255f, colour.image().pixels()[8 + 1], 1e-6f); // B plane
    LabeledImage g = ds.get(1);
    assertEquals(1, g.label());
    assertEquals(1, g.image().channels());
    assertEquals(0.2f, g.image().pixels()[1 * 3 + 2], 1e-6f);
    assertTrue(((FolderDataset) ds).files().get(1).endsWith("01.png"));
  }

  @Test
  void folderErrorsNameTheFile() throws IOException {
    Path root = dir.resolve("bad");
    Path c = Files.createDirectories(root.resolve("c"));
    Path broken = Files.write(c.resolve("broken.png"), new byte[] {1, 2, 3, 4});
    ImageDataset ds = Datasets.open("folder:" + root);
    DatasetException e = assertThrows(DatasetException.class, () -> ds.get(0));
    assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());

    e = assertThrows(DatasetException.class, () -> Datasets.open("folder:" + dir.resolve("nope")));
    assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    Path empty = Files.createDirectories(dir.resolve("empty"));
    e = assertThrows(DatasetException.class, () -> Datasets.open("folder:" + empty));
    assertTrue(e.getMessage().contains("no class subfolders"), e.getMessage());
  }
}
