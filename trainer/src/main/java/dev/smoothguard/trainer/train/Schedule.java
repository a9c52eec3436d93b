package dev.smoothguard.trainer.train;

/**
 * Learning rate as a function of training progress in [0,1]: linear warm-up to {@code peak}, then
 * half a cosine down to {@code floor} (MAE's schedule).
 */
public record Schedule(double peak, double floor, double warmupFraction) {
  public Schedule {
    if (peak <= 0 || floor < 0 || floor > peak)
      throw new IllegalArgumentException("bad learning rates");
    if (warmupFraction < 0 || warmupFraction >= 1)
      throw new IllegalArgumentException("warm-up fraction in [0,1)");
  }

  public double at(double progress) {
    double p = Math.min(1.0, Math.max(0.0, progress));
    if (p < warmupFraction) return peak * (p / warmupFraction);
    double t = warmupFraction >= 1 ? 1 : (p - warmupFraction) / (1 - warmupFraction);
    return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
  }
}
