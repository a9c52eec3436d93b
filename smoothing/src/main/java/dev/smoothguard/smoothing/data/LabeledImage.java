package dev.smoothguard.smoothing.data;

/** An image with its ground-truth class index (0..K-1). */
public record LabeledImage(Image image, int label) {}
