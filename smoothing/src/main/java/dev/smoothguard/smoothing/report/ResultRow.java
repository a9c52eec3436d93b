package dev.smoothguard.smoothing.report;

/**
 * One line of Cohen's results TSV. {@code radius} is NaN in PREDICT files (no radius column);
 * {@code seconds} is the wall time of the image.
 */
public record ResultRow(
    int idx, int label, int predict, double radius, boolean correct, double seconds) {}
