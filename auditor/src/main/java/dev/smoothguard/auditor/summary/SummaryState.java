package dev.smoothguard.auditor.summary;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The summary state of one key: its open windows (start -> stats and the wall-clock time of their
 * last record), the end of the last window it emitted (records for windows before it are late), and
 * the late records since its last summary. Bounded: at most {@link #MAX_OPEN} windows stay open
 * (the oldest is closed first).
 *
 * @param closedThrough windows starting before this (event time, ms) have been emitted
 * @param late records that came for an emitted window since the last summary
 * @param open the open windows by start
 */
public record SummaryState(long closedThrough, long late, TreeMap<Long, OpenWindow> open) {
  public static final int MAX_OPEN = 32;

  /** One open window: its statistics and when (wall clock, ms) it last received a record. */
  public record OpenWindow(WindowStats stats, long lastUpdateMs) {}

  public static SummaryState empty() {
    return new SummaryState(Long.MIN_VALUE, 0, new TreeMap<>());
  }

  /** The state format of the store and its changelog. */
  public static final class StateSerde implements Serde<SummaryState> {
    private static final byte VERSION = 1;

    @Override
    public Serializer<SummaryState> serializer() {
      return (topic, s) -> {
        if (s == null) return null;
        try {
          ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
          DataOutputStream out = new DataOutputStream(bytes);
          out.writeByte(VERSION);
          out.writeLong(s.closedThrough());
          out.writeLong(s.late());
          out.writeInt(s.open().size());
          for (Map.Entry<Long, OpenWindow> e : s.open().entrySet()) {
            out.writeLong(e.getKey());
            out.writeLong(e.getValue().lastUpdateMs());
            WindowStatsSerde.write(out, e.getValue().stats());
          }
          out.flush();
          return bytes.toByteArray();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      };
    }

    @Override
    public Deserializer<SummaryState> deserializer() {
      return (topic, bytes) -> {
        if (bytes == null) return null;
        try {
          DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
          if (in.readByte() != VERSION) throw new IOException("unknown summary state version");
          long closed = in.readLong(), late = in.readLong();
          int n = in.readInt();
          if (n < 0 || n > 10 * MAX_OPEN) throw new IOException("bad window count " + n);
          TreeMap<Long, OpenWindow> open = new TreeMap<>();
          for (int i = 0; i < n; i++) {
            long start = in.readLong(), last = in.readLong();
            open.put(start, new OpenWindow(WindowStatsSerde.read(in), last));
          }
          return new SummaryState(closed, late, open);
        } catch (IOException | RuntimeException e) {
          throw new SerializationException(
              "summary state: truncated or corrupt (" + e.getMessage() + ")", e);
        }
      };
    }
  }
}
