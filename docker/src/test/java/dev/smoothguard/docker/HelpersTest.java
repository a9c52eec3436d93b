package dev.smoothguard.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The small readers the deployment tests rely on. */
class HelpersTest {
  @Test
  void pinnedMeansAVersionTagOrADigest() {
    assertTrue(Images.isPinned("apache/kafka:4.3.1"));
    assertTrue(Images.isPinned("prom/prometheus:v3.7.3"));
    assertTrue(Images.isPinned("nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04"));
    assertTrue(Images.isPinned("busybox@sha256:0123abcd"));
    assertFalse(Images.isPinned("apache/kafka"));
    assertFalse(Images.isPinned("apache/kafka:latest"));
    assertFalse(Images.isPinned("grafana/grafana:main"));
    assertFalse(Images.isPinned("registry.local:5000/smoothguard/auditor"));
  }

  @Test
  void interpolationUsesDefaultsAndRejectsVariablesWithout() {
    assertEquals(
        "localhost:9094", Interpolation.withDefaults("localhost:${KAFKA_HOST_PORT:-9094}"));
    assertEquals("a-b", Interpolation.withDefaults("${X-a}-b"));
    assertEquals("cost $5", Interpolation.withDefaults("cost $$5"));
    assertThrows(IllegalArgumentException.class, () -> Interpolation.withDefaults("${NO_DEFAULT}"));
    assertThrows(IllegalArgumentException.class, () -> Interpolation.withDefaults("$NO_DEFAULT"));
  }
}
