package dev.smoothguard.trainer.train;

/**
 * How far a run is, for the learning-rate schedule: the larger of steps done / steps planned and,
 * with a time budget, time used / budget. With a budget the cosine therefore reaches its end when
 * the budget does, instead of stopping a run at a high learning rate.
 */
record Progress(long totalSteps, double budgetSeconds) {
  double at(long step, double elapsedSeconds) {
    double byStep = (double) step / Math.max(1, totalSteps);
    double byTime = budgetSeconds > 0 ? elapsedSeconds / budgetSeconds : 0;
    return Math.min(1.0, Math.max(byStep, byTime));
  }
}
