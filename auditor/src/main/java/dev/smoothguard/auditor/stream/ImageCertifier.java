package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.image.DecodedImage;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.schemas.v1.ModelRef;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import java.util.Optional;

/** What the audit step needs from the model: decode, certify, and a health probe. */
public interface ImageCertifier {
  ModelRef modelRef();

  String device();

  SmoothingSettings settings();

  /** Decodes and validates (throws ImageRejectedException) without certifying. */
  DecodedImage decode(ImageEvent e);

  /**
   * Certifies a decoded image; engine failures propagate as {@link
   * Certifier.ModelFailureException}.
   */
  CertifiedPrediction certify(ImageEvent e, DecodedImage image);

  /**
   * Runs the engine on a known-good input (a grey image in the model's shape, one Monte Carlo
   * batch): empty when the engine works, else what failed. An engine that fails here is broken
   * whatever the image (session, device, memory): a fault of the system, not of the record.
   */
  Optional<String> probe();
}
