package dev.smoothguard.schemas.serde;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: byte 0 is the magic byte {@code 0x00}, bytes 1..4 the schema id
 * (big-endian int), then the Avro binary encoding of the value with that schema.
 */
public final class WireFormat {
  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_LENGTH = 5;

  private WireFormat() {}

  /** The 5-byte header for a schema id. */
  public static byte[] header(int schemaId) {
    return ByteBuffer.allocate(HEADER_LENGTH).put(MAGIC_BYTE).putInt(schemaId).array();
  }

  /** A framed payload: header + Avro body. */
  public static byte[] frame(int schemaId, byte[] avroBody) {
    return ByteBuffer.allocate(HEADER_LENGTH + avroBody.length)
        .put(MAGIC_BYTE)
        .putInt(schemaId)
        .put(avroBody)
        .array();
  }

  /**
   * The schema id in a payload's header.
   *
   * @param topic for error messages (may be null)
   * @throws UnknownMagicByteException when byte 0 is not 0
   * @throws TruncatedPayloadException when the payload is shorter than the header
   */
  public static int schemaId(byte[] payload, String topic) {
    if (payload.length == 0) {
      throw new TruncatedPayloadException(
          "empty payload, no wire-format header", 0, topic, null, null);
    }
    if (payload[0] != MAGIC_BYTE) {
      throw new UnknownMagicByteException(payload[0], topic);
    }
    if (payload.length < HEADER_LENGTH) {
      throw new TruncatedPayloadException(
          "shorter than the 5-byte header (magic byte + 4-byte schema id)",
          payload.length,
          topic,
          null,
          null);
    }
    return ByteBuffer.wrap(payload, 1, 4).getInt();
  }

  /** The Confluent TopicNameStrategy: {@code <topic>-key} or {@code <topic>-value}. */
  public static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }
}
