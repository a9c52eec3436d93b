package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.image.RejectReason;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.FailureReason;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds AuditFailure records: the reason, one line of message, where it came from, the original bytes. */
public final class FailureRecords {
  private FailureRecords() {}

  public static AuditFailure of(FailureReason reason, String message, String topic, int partition,
      long offset, byte[] key, byte[] value, String imageId, Throwable cause) {
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
        .build();
  }

  public static FailureReason reasonOf(RejectReason r) {
    return FailureReason.valueOf(r.name());
  }

  private static String oneLine(String s) {
    String line = s.replace('\n', ' ').replace('\r', ' ');
    return line.length() > 1000 ? line.substring(0, 1000) + "..." : line;
  }
}
