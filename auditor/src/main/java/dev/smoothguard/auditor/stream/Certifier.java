package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.config.ShapePolicy;
import dev.smoothguard.auditor.image.DecodedImage;
import dev.smoothguard.auditor.image.ImageDecoder;
import dev.smoothguard.auditor.image.ImageRejectedException;
import dev.smoothguard.auditor.image.ModelInput;
import dev.smoothguard.auditor.image.RejectReason;
import dev.smoothguard.schemas.v1.CertificationMode;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.schemas.v1.ModelRef;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.engine.Certificate;
import dev.smoothguard.smoothing.engine.Mode;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import dev.smoothguard.smoothing.model.ModelInfo;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Decodes an image event and certifies it with the shared engine: the one place that turns an
 * ImageEvent into a CertifiedPrediction. Thread-safe (the engine is; the rest is immutable).
 */
public final class Certifier implements ImageCertifier {
  private final SmoothingEngine engine;
  private final SmoothingSettings settings;
  private final ImageDecoder decoder;
  private final ModelRef modelRef;
  private final List<String> classNames;
  private final boolean hasClassNames;

  public Certifier(
      SmoothingEngine engine, SmoothingSettings settings, ShapePolicy policy, long maxPixels) {
    // a seed this engine cannot honour (in-graph noise on CUDA: 0..2^24 only) is refused here, at
    // start-up, with one line, rather than on every image
    engine.checkSeed(settings.seed());
    this.engine = engine;
    this.settings = settings;
    ModelInfo m = engine.model();
    this.decoder =
        new ImageDecoder(new ModelInput(m.channels(), m.height(), m.width()), policy, maxPixels);
    this.modelRef =
        ModelRef.newBuilder()
            .setName(m.name())
            .setVersion(m.version())
            .setSha256(m.sha256())
            .build();
    this.classNames = m.classNames();
    this.hasClassNames =
        m.card()
            .map(c -> c.classNames() != null && c.classNames().size() == m.numClasses())
            .orElse(false);
  }

  @Override
  public ModelRef modelRef() {
    return modelRef;
  }

  @Override
  public String device() {
    return engine.device();
  }

  @Override
  public SmoothingSettings settings() {
    return settings;
  }

  /** Decodes and validates (throws ImageRejectedException) without certifying. */
  @Override
  public DecodedImage decode(ImageEvent e) {
    byte[] data = new byte[e.getData().remaining()];
    e.getData().duplicate().get(data);
    if (e.getUri() != null && data.length == 0) {
      throw new ImageRejectedException(
          RejectReason.UNSUPPORTED_ENCODING,
          "image URIs are not supported yet (uri=" + e.getUri() + ", no inline data)");
    }
    return decoder.decode(
        e.getEncoding().name(), e.getWidth(), e.getHeight(), e.getChannels(), data);
  }

  /** Certifies a decoded image; engine failures propagate as ModelFailureException. */
  @Override
  public CertifiedPrediction certify(ImageEvent e, DecodedImage image) {
    Certificate c;
    try {
      c = engine.run(image.image(), settings);
    } catch (RuntimeException ex) {
      throw new ModelFailureException(
          "model "
              + modelRef.getName()
              + " failed on image '"
              + e.getId()
              + "': "
              + ex.getMessage(),
          ex);
    }
    Integer label = e.getLabel();
    boolean abstained = c.abstained();
    return CertifiedPrediction.newBuilder()
        .setImageId(e.getId())
        .setEventTime(e.getEventTime())
        .setProcessedTime(Instant.now())
        .setModel(modelRef)
        .setSigma(settings.sigma())
        .setN0(settings.n0())
        .setN(settings.n())
        .setAlpha(settings.alpha())
        .setMode(CertificationMode.valueOf(settings.mode().name()))
        .setTargetRadius(
            settings.mode() == Mode.TARGET ? settings.targetRadius().getAsDouble() : null)
        .setCertifiedAtTarget(settings.mode() == Mode.TARGET ? c.certifiedAtTarget() : null)
        .setPredictedClass(abstained ? Certificate.ABSTAIN : c.predictedClass())
        .setClassName(
            abstained || !hasClassNames || c.predictedClass() >= classNames.size()
                ? null
                : classNames.get(c.predictedClass()))
        .setAbstained(abstained)
        .setRadius(abstained ? 0.0 : c.radius())
        .setPALower(Double.isNaN(c.pALower()) ? null : c.pALower())
        .setCountTop(c.countTop())
        .setSamplesUsed(c.samplesUsed())
        .setLabel(label)
        .setCorrect(label == null ? null : (!abstained && c.predictedClass() == label))
        .setDevice(c.device())
        .setLatencyMs(c.millis())
        .setResized(image.resized())
        .build();
  }

  @Override
  public Optional<String> probe() {
    ModelInfo m = engine.model();
    Image grey =
        new Image(
            m.channels(), m.height(), m.width(), new float[m.channels() * m.height() * m.width()]);
    Arrays.fill(grey.pixels(), 0.5f);
    // one batch of the configured size: a session that fails only at the real batch shape fails
    // here too
    SmoothingSettings one =
        new SmoothingSettings(
            settings.sigma(),
            1,
            settings.batch(),
            settings.alpha(),
            settings.batch(),
            Mode.CERTIFY,
            OptionalDouble.empty(),
            settings.seed());
    try {
      engine.run(grey, one);
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(
          "model " + modelRef.getName() + " fails on a known-good image too: " + e.getMessage());
    }
  }

  /** The engine failed on an image (bad model, runtime error): a MODEL_ERROR for the DLQ. */
  public static final class ModelFailureException extends RuntimeException {
    public ModelFailureException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
