package dev.smoothguard.auditor.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smoothguard.auditor.config.ShapePolicy;
import dev.smoothguard.auditor.testing.TestStack;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.engine.Certificate;
import dev.smoothguard.smoothing.engine.EngineOptions;
import dev.smoothguard.smoothing.engine.Mode;
import dev.smoothguard.smoothing.engine.NoiseSource;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The seed is checked against the engine once, when the certifier is built at start-up. On the CPU
 * the noise is drawn on the host, so any long is a seed; the refusal (in-graph noise on CUDA, seeds
 * 0..2^24 only) needs a GPU engine and is not exercised here.
 */
class CertifierSeedTest {
  @Test
  void aLongSeedIsAcceptedAtStartOnTheCpuAndReproducesItsCertificate() {
    long seed = 1L << 40;
    SmoothingSettings settings =
        new SmoothingSettings(
            0.25, 20, 200, 0.001, 100, Mode.CERTIFY, OptionalDouble.empty(), OptionalLong.of(seed));
    Certificate first = certifyGreyOnAFreshEngine(settings);
    // a seed's noise continues between calls on one engine: a fresh engine replays it
    Certificate again = certifyGreyOnAFreshEngine(settings);
    assertEquals(first.predictedClass(), again.predictedClass());
    assertEquals(first.countTop(), again.countTop(), "the same seed gives the same counts");
  }

  private static Certificate certifyGreyOnAFreshEngine(SmoothingSettings settings) {
    try (SmoothingEngine engine =
        SmoothingEngine.open(
            TestStack.model(),
            new EngineOptions("cpu", 1, OptionalInt.empty(), OptionalInt.empty()))) {
      assertEquals(NoiseSource.HOST, engine.noiseSource());
      // what AuditService.start does first with the engine and the settings: no refusal
      Certifier certifier = new Certifier(engine, settings, ShapePolicy.REJECT, 1_000_000);
      assertEquals(settings.seed(), certifier.settings().seed());
      return engine.run(new Image(1, 28, 28, new float[28 * 28]), settings);
    }
  }
}
