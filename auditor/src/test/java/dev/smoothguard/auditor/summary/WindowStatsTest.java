package dev.smoothguard.auditor.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class WindowStatsTest {
  private static final List<Double> RADII = List.of(0.0, 0.25, 0.5, 1.0);
  private static final double SIGMA = 0.5;

  private static WindowStats sample() {
    WindowStats s = WindowStats.empty(RADII, SIGMA);
    // radius, abstain, labelled, correct, samples
    s = s.plus("m", "1", "abc", false, 0.8, true, true, 1100); // correct, big radius
    s = s.plus("m", "1", "abc", false, 0.3, true, true, 1100); // correct, small radius
    s = s.plus("m", "1", "abc", false, 0.6, true, false, 1100); // wrong
    s = s.plus("m", "1", "abc", true, 0.0, true, false, 1100); // abstain on a labelled image
    s = s.plus("m", "1", "abc", false, 1.2, false, false, 1100); // unlabelled
    return s;
  }

  @Test
  void countsAndCertifiedAccuracyFollowCohen() {
    WindowStats s = sample();
    assertEquals(5, s.count());
    assertEquals(1, s.abstained());
    assertEquals(4, s.labelled());
    assertEquals(2, s.correct());
    assertEquals(2.0 / 4, s.accuracyAt(0.0));
    assertEquals(2.0 / 4, s.accuracyAt(0.25));
    assertEquals(1.0 / 4, s.accuracyAt(0.5));
    assertEquals(0.0, s.accuracyAt(1.0));
    assertEquals(4, s.certifiedCount(0.0)); // the abstain is not certified
    assertEquals(3, s.certifiedCount(0.5));
    assertEquals(1100.0, s.meanSamples());
  }

  @Test
  void quantilesAreNearestRankWithinHalfABinAndZeroIsExact() {
    WindowStats s = sample(); // sorted radii: 0, 0.3, 0.6, 0.8, 1.2
    assertEquals(SIGMA / 200, s.resolution());
    assertEquals(0.0, s.radiusQuantile(0.1));
    assertEquals(0.6, s.radiusQuantile(0.5), s.resolution() + 1e-12);
    assertEquals(1.2, s.radiusQuantile(0.9), s.resolution() + 1e-12);
    assertEquals(0.0, WindowStats.empty(RADII, SIGMA).radiusQuantile(0.5));
    assertTrue(Double.isNaN(WindowStats.empty(RADII, SIGMA).accuracyAt(0)));
  }

  @Test
  void manyImagesKeepTheStateSmallAndTheQuantilesWithinTheResolution() {
    Random r = new Random(42);
    WindowStats s = WindowStats.empty(RADII, SIGMA);
    double[] exact = new double[20_000];
    for (int i = 0; i < exact.length; i++) {
      boolean abstain = r.nextDouble() < 0.1;
      double radius = abstain ? 0 : r.nextDouble() * 3.2 * SIGMA;
      exact[i] = radius;
      s =
          s.merge(
              WindowStats.empty(RADII, SIGMA)
                  .plus("m", "1", "abc", abstain, radius, true, r.nextBoolean(), 100));
    }
    Arrays.sort(exact);
    for (double p : new double[] {0.1, 0.5, 0.9}) {
      double nearestRank = exact[(int) Math.ceil(p * exact.length) - 1];
      assertEquals(nearestRank, s.radiusQuantile(p), s.resolution() + 1e-12, "p" + p);
    }
    byte[] bytes = new WindowStatsSerde().serializer().serialize("t", s);
    assertTrue(bytes.length < 8_000, "bounded state: " + bytes.length + " bytes for 20 000 images");
  }

  @Test
  void serdeRoundTripsAndRejectsGarbage() {
    WindowStatsSerde serde = new WindowStatsSerde();
    WindowStats s = sample();
    byte[] bytes = serde.serializer().serialize("t", s);
    assertEquals(s, serde.deserializer().deserialize("t", bytes));
    byte[] cut = Arrays.copyOf(bytes, bytes.length - 3);
    assertThrows(SerializationException.class, () -> serde.deserializer().deserialize("t", cut));
    assertThrows(
        SerializationException.class, () -> serde.deserializer().deserialize("t", new byte[] {9}));
  }
}
