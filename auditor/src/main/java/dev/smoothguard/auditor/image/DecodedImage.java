package dev.smoothguard.auditor.image;

import dev.smoothguard.smoothing.data.Image;

/**
 * A validated image in the model's input shape; resized says whether the shape policy changed it.
 */
public record DecodedImage(Image image, boolean resized) {}
