package dev.smoothguard.smoothing.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped sample (data/fashion-mnist-sample) is exactly the first 200 Fashion-MNIST test
 * images, in class folders, file name = test index. Needs the Debian package dataset-fashion-mnist
 * (installed by .ci/run).
 */
class FashionMnistSampleTest {
  static final Path IDX = Path.of("/usr/share/datasets/fashion-mnist");
  static final Path SAMPLE = Path.of("..", "data", "fashion-mnist-sample");

  @Test
  void sampleEqualsTheFirst200TestImages() {
    assumeTrue(Files.isDirectory(IDX), "dataset-fashion-mnist not installed");
    ImageDataset sample = Datasets.open("folder:" + SAMPLE);
    ImageDataset test =
        Datasets.open(
            "idx:"
                + IDX.resolve("t10k-images-idx3-ubyte.gz")
                + ","
                + IDX.resolve("t10k-labels-idx1-ubyte.gz"));
    assertEquals(200, sample.size());
    assertEquals(
        List.of(
            "0_t-shirt",
            "1_trouser",
            "2_pullover",
            "3_dress",
            "4_coat",
            "5_sandal",
            "6_shirt",
            "7_sneaker",
            "8_bag",
            "9_ankle-boot"),
        sample.classNames());
    List<Path> files = ((FolderDataset) sample).files();
    boolean[] seen = new boolean[200];
    for (int i = 0; i < sample.size(); i++) {
      int testIndex = Integer.parseInt(files.get(i).getFileName().toString().replace(".png", ""));
      seen[testIndex] = true;
      LabeledImage s = sample.get(i), t = test.get(testIndex);
      assertEquals(t.label(), s.label(), files.get(i).toString());
      assertArrayEquals(t.image().pixels(), s.image().pixels(), files.get(i).toString());
    }
    for (int i = 0; i < 200; i++) assertEquals(true, seen[i], "test image " + i + " missing");
  }
}
