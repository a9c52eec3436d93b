package dev.smoothguard.schemas.testing;

import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertificationMode;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.FailureReason;
import dev.smoothguard.schemas.v1.ImageEncoding;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.schemas.v1.ModelRef;
import dev.smoothguard.schemas.v1.RadiusAccuracy;
import dev.smoothguard.schemas.v1.RobustnessSummary;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Fully populated records of every contract, with every optional field set. */
public final class Samples {
  private Samples() {}

  public static final Instant T0 = Instant.parse("2026-11-24T12:00:00.123Z");

  public static ModelRef model() {
    return new ModelRef(
        "fashion-mnist-dmae-s025",
        "1.0.0",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  }

  public static ImageEvent image() {
    byte[] pixels = new byte[28 * 28];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 7);
    }
    return ImageEvent.newBuilder()
        .setId("fmnist-test-00042")
        .setEventTime(T0)
        .setSource("idx:/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte")
        .setEncoding(ImageEncoding.RAW_U8)
        .setWidth(28)
        .setHeight(28)
        .setChannels(1)
        .setData(ByteBuffer.wrap(pixels))
        .setUri(null)
        .setLabel(9)
        .setAttributes(Map.of("camera", "belt-3", "trace", "abc"))
        .build();
  }

  public static CertifiedPrediction prediction() {
    return CertifiedPrediction.newBuilder()
        .setImageId("fmnist-test-00042")
        .setEventTime(T0)
        .setProcessedTime(T0.plusMillis(812))
        .setModel(model())
        .setSigma(0.25)
        .setN0(100)
        .setN(10_000)
        .setAlpha(0.001)
        .setMode(CertificationMode.TARGET)
        .setTargetRadius(0.5)
        .setCertifiedAtTarget(true)
        .setPredictedClass(9)
        .setClassName("Ankle boot")
        .setAbstained(false)
        .setRadius(0.6123)
        .setPALower(0.9929)
        .setCountTop(9_987)
        .setSamplesUsed(10_100)
        .setLabel(9)
        .setCorrect(true)
        .setDevice("cuda:0")
        .setLatencyMs(805.25)
        .setResized(true)
        .build();
  }

  public static AuditFailure failure() {
    return AuditFailure.newBuilder()
        .setReason(FailureReason.WRONG_SHAPE)
        .setMessage("image fmnist-test-00042 is 3x32x32, the model takes 1x28x28")
        .setSourceTopic("images")
        .setPartition(2)
        .setOffset(123_456_789_012L)
        .setKey(ByteBuffer.wrap(new byte[] {1, 2, 3}))
        .setValue(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 1, 42}))
        .setTime(T0.plusSeconds(1))
        .setImageId("fmnist-test-00042")
        .setExceptionClass("dev.smoothguard.auditor.WrongShapeException")
        .build();
  }

  public static RobustnessSummary summary() {
    return RobustnessSummary.newBuilder()
        .setWindowStart(T0)
        .setWindowEnd(T0.plusSeconds(60))
        .setModel(model())
        .setCount(120)
        .setAbstainCount(7)
        .setLabelledCount(100)
        .setCorrectCount(81)
        .setCertifiedAccuracy(
            List.of(
                new RadiusAccuracy(0.0, 113L, 81L, 0.81),
                new RadiusAccuracy(0.25, 90L, 66L, 0.66),
                new RadiusAccuracy(0.5, 41L, 30L, 0.30),
                new RadiusAccuracy(1.0, 0L, 0L, 0.0)))
        .setRadiusP10(0.0)
        .setRadiusP50(0.41)
        .setRadiusP90(0.79)
        .setMeanSamples(10_100.0)
        .build();
  }
}
