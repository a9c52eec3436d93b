package dev.smoothguard.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smoothguard.smoothing.errors.UserError;
import org.junit.jupiter.api.Test;

/** MAE's scaling rule lr = blr × batch / 256, and --lr as an absolute override. */
class LearningRateTest {
  @Test
  void scalesTheBaseRateWithTheBatch() {
    // the reference's defaults: pre-training blr 1.5e-4 at batch 256, fine-tuning 5e-4 at batch 128
    assertEquals(1.5e-4, LearningRate.of(null, 1.5e-4, 256).peak(), 1e-18);
    assertEquals(2.5e-4, LearningRate.of(null, 5e-4, 128).peak(), 1e-18);
    assertEquals(6e-4, LearningRate.of(null, 1.5e-4, 1024).peak(), 1e-18);
    assertEquals(5e-4, LearningRate.of(null, 5e-4, 128).base());
  }

  @Test
  void anAbsoluteRateWins() {
    LearningRate r = LearningRate.of(3e-3, 5e-4, 128);
    assertEquals(3e-3, r.peak());
    assertNull(r.base());
    assertThrows(UserError.class, () -> LearningRate.of(null, 0, 128));
    assertThrows(UserError.class, () -> LearningRate.of(-1.0, 5e-4, 128));
  }
}
