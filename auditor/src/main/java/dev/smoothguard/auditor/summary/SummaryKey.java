package dev.smoothguard.auditor.summary;

import dev.smoothguard.schemas.v1.CertifiedPrediction;

/**
 * What a summary is about: one model file under one set of certification settings. Two versions of
 * a model, two files with the same name, or the same model at two sigmas, sample counts, alphas or
 * modes never share a summary (their radii are not comparable).
 */
public record SummaryKey(
    String modelName, String modelSha256, String mode, double sigma, int n, double alpha) {

  public static SummaryKey of(CertifiedPrediction p) {
    return new SummaryKey(
        p.getModel().getName(),
        p.getModel().getSha256(),
        p.getMode().name(),
        p.getSigma(),
        p.getN(),
        p.getAlpha());
  }

  /** The topic key: {@code name|sha256|MODE|sigma=..|n=..|alpha=..}. */
  @Override
  public String toString() {
    return modelName
        + "|"
        + modelSha256
        + "|"
        + mode
        + "|sigma="
        + sigma
        + "|n="
        + n
        + "|alpha="
        + alpha;
  }

  /** Parses {@link #toString()}. */
  public static SummaryKey parse(String key) {
    String[] p = key.split("\\|");
    if (p.length != 6) throw new IllegalArgumentException("not a summary key: " + key);
    return new SummaryKey(
        p[0],
        p[1],
        p[2],
        Double.parseDouble(value(p[3], "sigma")),
        Integer.parseInt(value(p[4], "n")),
        Double.parseDouble(value(p[5], "alpha")));
  }

  private static String value(String part, String name) {
    if (!part.startsWith(name + "="))
      throw new IllegalArgumentException("expected " + name + "=..., got " + part);
    return part.substring(name.length() + 1);
  }
}
