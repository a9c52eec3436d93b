package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.image.RejectReason;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.FailureReason;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Builds AuditFailure records: the reason, one line of message, where it came from, the original
 * bytes with their size and sha256 (so a dead letter that has to be cut to fit still names its
 * original exactly).
 */
public final class FailureRecords {
  private FailureRecords() {}

  public static AuditFailure of(
      FailureReason reason,
      String message,
      String topic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      String imageId,
      Throwable cause) {
    return AuditFailure.newBuilder()
        .setReason(reason)
        .setMessage(message == null ? reason.name() : oneLine(message))
        .setSourceTopic(topic == null ? "" : topic)
        .setPartition(partition)
        .setOffset(offset)
        .setKey(key == null ? null : ByteBuffer.wrap(key))
        .setValue(value == null ? null : ByteBuffer.wrap(value))
        .setTime(Instant.now())
        .setImageId(imageId)
        .setExceptionClass(cause == null ? null : cause.getClass().getName())
        .setOriginalTruncated(false)
        .setOriginalSize(value == null ? -1 : value.length)
        .setOriginalSha256(value == null ? null : sha256(value))
        .build();
  }

  public static FailureReason reasonOf(RejectReason r) {
    return FailureReason.valueOf(r.name());
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static String oneLine(String s) {
    String line = s.replace('\n', ' ').replace('\r', ' ');
    return line.length() > 1000 ? line.substring(0, 1000) + "..." : line;
  }
}
