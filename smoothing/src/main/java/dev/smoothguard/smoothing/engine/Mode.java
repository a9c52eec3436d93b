package dev.smoothguard.smoothing.engine;

/** Which question a certificate answers. */
public enum Mode {
  /** Cohen's CERTIFY with a fixed number of samples n: class and largest provable radius. */
  CERTIFY,
  /** Cohen's PREDICT: class or abstain, no radius. */
  PREDICT,
  /** Adaptive test: is the smoothed classifier certified at a given target radius? */
  TARGET
}
