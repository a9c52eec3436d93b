package dev.smoothguard.trainer.pytorch;

import java.nio.ByteBuffer;

/** Element types of stored tensors, with their sizes and the conversion to float32. */
public enum DType {
  F32(4),
  F64(8),
  F16(2),
  BF16(2),
  I64(8),
  I32(4),
  I16(2),
  I8(1),
  U8(1),
  BOOL(1);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  public int bytes() {
    return bytes;
  }

  public boolean isFloatingPoint() {
    return this == F32 || this == F64 || this == F16 || this == BF16;
  }

  /** Element {@code i} of {@code buf} (in the buffer's byte order) as a float. */
  float get(ByteBuffer buf, int i) {
    int at = i * bytes;
    return switch (this) {
      case F32 -> buf.getFloat(at);
      case F64 -> (float) buf.getDouble(at);
      case F16 -> halfToFloat(buf.getShort(at));
      case BF16 -> Float.intBitsToFloat((buf.getShort(at) & 0xffff) << 16);
      case I64 -> buf.getLong(at);
      case I32 -> buf.getInt(at);
      case I16 -> buf.getShort(at);
      case I8 -> buf.get(at);
      case U8, BOOL -> buf.get(at) & 0xff;
    };
  }

  /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
  static float halfToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf, NaN
    if (exp == 0) {
      // zero or subnormal: mant * 2^-24
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
