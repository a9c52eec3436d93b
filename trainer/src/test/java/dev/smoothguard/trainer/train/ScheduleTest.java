package dev.smoothguard.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ScheduleTest {
  @Test
  void warmsUpLinearlyThenFollowsHalfACosine() {
    Schedule s = new Schedule(1e-3, 0, 0.1);
    assertEquals(0, s.at(0), 1e-12);
    assertEquals(5e-4, s.at(0.05), 1e-12);
    assertEquals(1e-3, s.at(0.1), 1e-12);
    assertEquals(5e-4, s.at(0.55), 1e-12);
    assertEquals(0, s.at(1), 1e-12);
  }

  @Test
  void progressIsTheLargerOfStepsAndTime() {
    Progress p = new Progress(100, 60);
    assertEquals(0.5, p.at(50, 10), 1e-12);
    assertEquals(0.75, p.at(10, 45), 1e-12);
    assertEquals(1.0, p.at(10, 600), 1e-12);
    assertEquals(0.2, new Progress(100, 0).at(20, 1e9), 1e-12, "no budget: steps only");
  }
}
