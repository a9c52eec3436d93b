package dev.smoothguard.auditor.config;

/** What to do with an image whose size or channels differ from the model's input. */
public enum ShapePolicy {
  /** Send it to the dead-letter topic as WRONG_SHAPE. */
  REJECT,
  /** Resize (bilinear) and convert channels to the model's input; the result says resized=true. */
  RESIZE
}
