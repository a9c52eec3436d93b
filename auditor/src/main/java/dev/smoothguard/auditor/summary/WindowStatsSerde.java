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
 * The internal format of {@link WindowStats} (repartition topic, state store, changelog): a version
 * byte then the fields in order, the histogram written sparsely (index, count for the non-empty
 * bins), so a record stays a few hundred bytes whatever the window holds. Internal to the auditor,
 * so no registry is involved.
 */
public final class WindowStatsSerde implements Serde<WindowStats> {
  private static final byte VERSION = 2;

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
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      write(new DataOutputStream(bytes), s);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(DataOutputStream out, WindowStats s) throws IOException {
    out.writeByte(VERSION);
    out.writeUTF(s.modelName());
    out.writeUTF(s.modelVersion());
    out.writeUTF(s.modelSha256());
    out.writeDouble(s.binWidth());
    out.writeLong(s.count());
    out.writeLong(s.abstained());
    out.writeLong(s.labelled());
    out.writeLong(s.correct());
    out.writeLong(s.samples());
    out.writeLong(s.zeroRadius());
    out.writeDouble(s.maxRadius());
    out.writeInt(s.radii().length);
    for (int i = 0; i < s.radii().length; i++) {
      out.writeDouble(s.radii()[i]);
      out.writeLong(s.certifiedAt()[i]);
      out.writeLong(s.correctAt()[i]);
    }
    int nonEmpty = 0;
    for (long b : s.bins()) if (b != 0) nonEmpty++;
    out.writeInt(nonEmpty);
    for (int i = 0; i < s.bins().length; i++) {
      if (s.bins()[i] != 0) {
        out.writeShort(i);
        out.writeLong(s.bins()[i]);
      }
    }
    out.flush();
  }

  static WindowStats read(byte[] bytes) {
    try {
      return read(new DataInputStream(new ByteArrayInputStream(bytes)));
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "window stats: truncated or corrupt (" + e.getMessage() + ")", e);
    }
  }

  static WindowStats read(DataInputStream in) throws IOException {
    byte version = in.readByte();
    if (version != VERSION) throw new IOException("unknown format version " + version);
    String name = in.readUTF(), version2 = in.readUTF(), sha = in.readUTF();
    double binWidth = in.readDouble();
    long count = in.readLong(),
        abstained = in.readLong(),
        labelled = in.readLong(),
        correct = in.readLong(),
        samples = in.readLong(),
        zero = in.readLong();
    double max = in.readDouble();
    int k = in.readInt();
    if (k < 0 || k > 10_000) throw new IOException("bad radius count " + k);
    double[] radii = new double[k];
    long[] cert = new long[k], corr = new long[k];
    for (int i = 0; i < k; i++) {
      radii[i] = in.readDouble();
      cert[i] = in.readLong();
      corr[i] = in.readLong();
    }
    int nonEmpty = in.readInt();
    if (nonEmpty < 0 || nonEmpty > WindowStats.BINS)
      throw new IOException("bad bin count " + nonEmpty);
    long[] bins = new long[WindowStats.BINS];
    for (int i = 0; i < nonEmpty; i++) {
      int idx = in.readShort();
      if (idx < 0 || idx >= WindowStats.BINS) throw new IOException("bad bin index " + idx);
      bins[idx] = in.readLong();
    }
    return new WindowStats(
        name, version2, sha, binWidth, count, abstained, labelled, correct, samples, zero, max,
        radii, cert, corr, bins);
  }
}
