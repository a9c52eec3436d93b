package dev.smoothguard.auditor.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class WindowStatsTest {
  private static WindowStats sample() {
    WindowStats s = WindowStats.empty();
    // radius, abstain, labelled, correct, samples
    s = s.plus("m", "1", "abc", false, 0.8, true, true, 1100);   // correct, big radius
    s = s.plus("m", "1", "abc", false, 0.3, true, true, 1100);   // correct, small radius
    s = s.plus("m", "1", "abc", false, 0.6, true, false, 1100);  // wrong
    s = s.plus("m", "1", "abc", true, 0.0, true, false, 1100);   // abstain on a labelled image
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
  void quantilesAreNearestRankWithAbstainAsZero() {
    WindowStats s = sample(); // sorted radii: 0, 0.3, 0.6, 0.8, 1.2
    assertEquals(0.0, s.radiusQuantile(0.1));
    assertEquals(0.6, s.radiusQuantile(0.5));
    assertEquals(1.2, s.radiusQuantile(0.9));
    assertEquals(0.0, WindowStats.empty().radiusQuantile(0.5));
    assertTrue(Double.isNaN(WindowStats.empty().accuracyAt(0)));
  }

  @Test
  void serdeRoundTripsAndRejectsGarbage() {
    WindowStatsSerde serde = new WindowStatsSerde();
    WindowStats s = sample();
    byte[] bytes = serde.serializer().serialize("t", s);
    assertEquals(s, serde.deserializer().deserialize("t", bytes));
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    assertThrows(SerializationException.class, () -> serde.deserializer().deserialize("t", cut));
    assertThrows(SerializationException.class, () -> serde.deserializer().deserialize("t", new byte[] {9}));
  }
}
