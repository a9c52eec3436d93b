package dev.smoothguard.schemas.serde;

/** A payload does not start with the Confluent wire-format magic byte 0: not framed Avro. */
public final class UnknownMagicByteException extends SerdeException {
  private final int magicByte;

  public UnknownMagicByteException(int magicByte, String topic) {
    super(
        Reason.UNKNOWN_MAGIC_BYTE,
        String.format(
            "unknown magic byte 0x%02x%s: expected 0x00 (Confluent wire format)",
            magicByte & 0xff, inTopic(topic)),
        topic,
        null,
        null,
        null);
    this.magicByte = magicByte & 0xff;
  }

  /** The first byte found, 0..255. */
  public int magicByte() {
    return magicByte;
  }
}
