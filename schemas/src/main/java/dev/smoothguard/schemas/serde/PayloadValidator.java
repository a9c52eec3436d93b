package dev.smoothguard.schemas.serde;

import java.util.List;
import org.apache.avro.Schema;

/**
 * Walks an Avro binary body with its writer schema before it is decoded, checking every length,
 * count and index against the bytes that are really there. Avro's decoder allocates what a length
 * prefix claims before it notices the bytes are missing, so a hostile or corrupt record (a bytes
 * field claiming 2 GB) could otherwise exhaust the heap; here it is a {@link
 * TruncatedPayloadException} or {@link MalformedPayloadException} costing O(payload).
 *
 * <p>Limit: an array or map block may not announce more items than bytes remain, which only rejects
 * valid data for arrays of zero-byte items (null, empty records), not used here.
 */
final class PayloadValidator {
  private final byte[] data;
  private final String topic;
  private final int schemaId;
  private int pos;

  private PayloadValidator(byte[] data, int offset, String topic, int schemaId) {
    this.data = data;
    this.pos = offset;
    this.topic = topic;
    this.schemaId = schemaId;
  }

  /** Checks that {@code data[offset..]} is exactly one value of {@code writer}. */
  static void validate(Schema writer, byte[] data, int offset, String topic, int schemaId) {
    PayloadValidator v = new PayloadValidator(data, offset, topic, schemaId);
    v.value(writer, writer.getFullName());
    if (v.pos != data.length) {
      throw new MalformedPayloadException(
          (data.length - v.pos) + " bytes left over after the " + writer.getFullName() + " value",
          topic,
          schemaId,
          null);
    }
  }

  private void value(Schema s, String path) {
    switch (s.getType()) {
      case NULL -> {}
      case BOOLEAN -> {
        need(1, path);
        int b = data[pos++];
        if (b != 0 && b != 1) {
          throw malformed("boolean byte " + b + " is neither 0 nor 1", path);
        }
      }
      case INT, LONG -> varLong(path);
      case FLOAT -> skip(4, path);
      case DOUBLE -> skip(8, path);
      case STRING, BYTES -> skip(length(path), path);
      case FIXED -> skip(s.getFixedSize(), path);
      case ENUM -> {
        long index = varLong(path);
        if (index < 0 || index >= s.getEnumSymbols().size()) {
          throw malformed(
              "enum index " + index + " outside 0.." + (s.getEnumSymbols().size() - 1), path);
        }
      }
      case UNION -> {
        List<Schema> branches = s.getTypes();
        long index = varLong(path);
        if (index < 0 || index >= branches.size()) {
          throw malformed("union index " + index + " outside 0.." + (branches.size() - 1), path);
        }
        value(branches.get((int) index), path);
      }
      case RECORD -> {
        for (Schema.Field f : s.getFields()) {
          value(f.schema(), path + "." + f.name());
        }
      }
      case ARRAY -> blocks(s.getElementType(), false, path + "[]");
      case MAP -> blocks(s.getValueType(), true, path + "{}");
    }
  }

  private void blocks(Schema item, boolean map, String path) {
    while (true) {
      long count = varLong(path);
      if (count == 0) {
        return;
      }
      if (count < 0) {
        count = -count;
        long size = varLong(path); // block size in bytes, present when the count is negative
        if (size < 0 || size > data.length - pos) {
          throw truncatedOrMalformed(size, path);
        }
      }
      if (count > data.length - pos) {
        throw new TruncatedPayloadException(
            path
                + " announces "
                + count
                + " items but only "
                + (data.length - pos)
                + " bytes remain",
            data.length,
            topic,
            schemaId,
            null);
      }
      for (long i = 0; i < count; i++) {
        if (map) {
          skip(length(path), path);
        }
        value(item, path);
      }
    }
  }

  private int length(String path) {
    long len = varLong(path);
    if (len < 0) {
      throw malformed("negative length " + len, path);
    }
    if (len > data.length - pos) {
      throw new TruncatedPayloadException(
          path + " announces " + len + " bytes but only " + (data.length - pos) + " remain",
          data.length,
          topic,
          schemaId,
          null);
    }
    return (int) len;
  }

  private SerdeException truncatedOrMalformed(long size, String path) {
    return size < 0
        ? malformed("negative block size " + size, path)
        : new TruncatedPayloadException(
            path + " block of " + size + " bytes, only " + (data.length - pos) + " remain",
            data.length,
            topic,
            schemaId,
            null);
  }

  /** Avro's zig-zag varint, at most 10 bytes. */
  private long varLong(String path) {
    long raw = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      need(1, path);
      int b = data[pos++] & 0xff;
      raw |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw malformed("varint longer than 10 bytes", path);
  }

  private void skip(int n, String path) {
    need(n, path);
    pos += n;
  }

  private void need(int n, String path) {
    if (n > data.length - pos) {
      throw new TruncatedPayloadException(
          "ends inside " + path, data.length, topic, schemaId, null);
    }
  }

  private MalformedPayloadException malformed(String what, String path) {
    return new MalformedPayloadException(what + " at " + path, topic, schemaId, null);
  }
}
