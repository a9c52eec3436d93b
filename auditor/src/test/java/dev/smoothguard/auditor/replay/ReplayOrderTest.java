package dev.smoothguard.auditor.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.data.ImageDataset;
import dev.smoothguard.smoothing.data.LabeledImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayOrderTest {
  /** Labels by position, as a class-folder dataset has them: sorted by class, uneven sizes. */
  private static ImageDataset labelled(int... labels) {
    return new ImageDataset() {
      public String spec() {
        return "test:labels";
      }

      public int size() {
        return labels.length;
      }

      public LabeledImage get(int i) {
        return new LabeledImage(new Image(1, 1, 1, new float[1]), labels[i]);
      }

      public List<String> classNames() {
        return List.of("a", "b", "c");
      }
    };
  }

  @Test
  void datasetOrderIsEveryPositionInTurn() {
    assertArrayEquals(new int[] {0, 1, 2, 3}, ReplayOrder.DATASET.indices(labelled(0, 0, 1, 2)));
  }

  @Test
  void interleavedTakesOneOfEachClassInTurnAndKeepsEveryImage() {
    // positions: class 0 -> 0,1,2; class 1 -> 3; class 2 -> 4,5
    assertArrayEquals(
        new int[] {0, 3, 4, 1, 5, 2}, ReplayOrder.INTERLEAVED.indices(labelled(0, 0, 0, 1, 2, 2)));
  }
}
