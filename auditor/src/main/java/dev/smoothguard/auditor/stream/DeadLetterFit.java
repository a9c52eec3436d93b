package dev.smoothguard.auditor.stream;

import dev.smoothguard.schemas.v1.AuditFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Makes a dead letter fit in one produce request, so that no input record can make the dead-letter
 * write fail. Under exactly-once a record the producer refuses (larger than {@code
 * max.request.size}, or than the topic's {@code max.message.bytes}) aborts the whole transaction,
 * and the same input would then fail again after every restart: the size has to be right before the
 * send, not repaired in an exception handler.
 *
 * <p>The whole record is counted: the Avro body (plus the 5-byte registry framing), the Kafka key,
 * the headers, and {@link #RECORD_OVERHEAD} for the batch and record framing. When the original
 * value does not fit, the dead letter keeps its first bytes, sets {@code originalTruncated} and
 * still names the original by {@code originalSize} and {@code originalSha256}.
 */
public final class DeadLetterFit {
  /** Batch header (61 B), record varints, registry framing (5 B), attribute bytes, with margin. */
  static final int RECORD_OVERHEAD = 1024;

  /** The producer default of max.request.size. */
  public static final int DEFAULT_MAX_REQUEST_SIZE = 1_048_576;

  private static final int MIN_RECORD_BYTES = 4 * RECORD_OVERHEAD;
  private final AtomicInteger maxRecordBytes;

  /**
   * @param maxRecordBytes the smaller of the producer's max.request.size and the DLQ topic's
   *     max.message.bytes
   */
  public DeadLetterFit(int maxRecordBytes) {
    if (maxRecordBytes < MIN_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "dead letters need at least " + MIN_RECORD_BYTES + " bytes, got " + maxRecordBytes);
    }
    this.maxRecordBytes = new AtomicInteger(maxRecordBytes);
  }

  public int maxRecordBytes() {
    return maxRecordBytes.get();
  }

  /**
   * The broker refused a dead letter of this size (the topic's max.message.bytes was lowered after
   * start): from now on dead letters are cut to half of it, so the record fails once, is read again
   * from the last commit, and then fits.
   */
  public void refused(int recordBytes) {
    maxRecordBytes.accumulateAndGet(Math.max(MIN_RECORD_BYTES, recordBytes / 2), Math::min);
  }

  /** The bytes headers take on the wire (keys, values, and two varints each). */
  public static int headerBytes(Headers headers) {
    int n = 0;
    if (headers == null) return 0;
    for (Header h : headers)
      n += h.key().length() + (h.value() == null ? 0 : h.value().length) + 10;
    return n;
  }

  /** True when headers of that size leave room for a useful dead letter (half the record). */
  public boolean headersFit(int headerBytes) {
    return headerBytes <= maxRecordBytes.get() / 2;
  }

  /**
   * The failure itself when it fits with this key and these headers, else a copy whose value is cut
   * to what fits (and whose key field is dropped too when even an empty value does not fit).
   */
  public AuditFailure fit(AuditFailure failure, int kafkaKeyBytes, int headerBytes) {
    int max = maxRecordBytes.get();
    int fixed = kafkaKeyBytes + headerBytes + RECORD_OVERHEAD;
    if (avroSize(failure) + fixed <= max) return failure;
    AuditFailure.Builder cut =
        AuditFailure.newBuilder(failure)
            .setOriginalTruncated(true)
            .setValue(ByteBuffer.allocate(0));
    int room = max - fixed - avroSize(cut.build()) - 8; // the length varint grows by up to 4 B
    if (room <= 0) {
      cut.setKey(null);
      room = max - fixed - avroSize(cut.build()) - 8;
    }
    ByteBuffer value = failure.getValue();
    if (room > 0 && value != null) {
      int len = Math.min(room, value.remaining());
      ByteBuffer prefix = value.duplicate();
      byte[] head = new byte[len];
      prefix.get(head);
      cut.setValue(ByteBuffer.wrap(head));
    }
    return cut.build();
  }

  /** A dead letter with nothing of the original but its size and sha256: fits any sane limit. */
  static AuditFailure minimal(AuditFailure failure) {
    return AuditFailure.newBuilder(failure)
        .setKey(null)
        .setValue(ByteBuffer.allocate(0))
        .setOriginalTruncated(true)
        .build();
  }

  private static final SpecificDatumWriter<AuditFailure> WRITER =
      new SpecificDatumWriter<>(AuditFailure.class);

  static int avroSize(AuditFailure f) {
    try {
      CountingStream out = new CountingStream();
      BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
      WRITER.write(f, enc);
      enc.flush();
      return out.count + 5; // magic byte + schema id
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Counts bytes without keeping them (a dead letter may be a megabyte). */
  private static final class CountingStream extends OutputStream {
    int count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
