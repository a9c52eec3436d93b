package dev.smoothguard.auditor.summary;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The state-store format of {@link WindowStats}: a version byte then the fields in order.
 * Internal to the auditor (its window store and changelog), so no registry is involved.
 */
public final class WindowStatsSerde implements Serde<WindowStats> {
  private static final byte VERSION = 1;

  @Override
  public Serializer<WindowStats> serializer() {
    return (topic, s) -> s == null ? null : write(s);
  }

  @Override
  public Deserializer<WindowStats> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  static byte[] write(WindowStats s) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 8 * s.radii().length);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(VERSION);
      out.writeUTF(s.modelName());
      out.writeUTF(s.modelVersion());
      out.writeUTF(s.modelSha256());
      out.writeLong(s.count());
      out.writeLong(s.abstained());
      out.writeLong(s.labelled());
      out.writeLong(s.correct());
      out.writeLong(s.samples());
      writeArray(out, s.radii());
      writeArray(out, s.correctRadii());
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static WindowStats read(byte[] bytes) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      byte version = in.readByte();
      if (version != VERSION) {
        throw new SerializationException("window stats: unknown format version " + version);
      }
      return new WindowStats(in.readUTF(), in.readUTF(), in.readUTF(), in.readLong(),
          in.readLong(), in.readLong(), in.readLong(), in.readLong(), readArray(in), readArray(in));
    } catch (IOException e) {
      throw new SerializationException("window stats: truncated or corrupt (" + e.getMessage() + ")", e);
    }
  }

  private static void writeArray(DataOutputStream out, double[] xs) throws IOException {
    out.writeInt(xs.length);
    for (double x : xs) out.writeDouble(x);
  }

  private static double[] readArray(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 50_000_000) throw new IOException("bad array length " + n);
    double[] xs = new double[n];
    for (int i = 0; i < n; i++) xs[i] = in.readDouble();
    return xs;
  }
}
