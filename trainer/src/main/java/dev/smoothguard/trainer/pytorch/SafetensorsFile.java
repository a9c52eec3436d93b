package dev.smoothguard.trainer.pytorch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code .safetensors} file: 8-byte little-endian header length, a JSON header {@code {name:
 * {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {..}}}, then the raw little-endian
 * data, offsets relative to its start. Pure data: nothing to refuse.
 */
final class SafetensorsFile implements AutoCloseable {
  private static final long MAX_HEADER = 100L << 20;
  private final Path file;
  private final FileChannel channel;
  private final Map<String, Object> tensors = new LinkedHashMap<>();

  private SafetensorsFile(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  static SafetensorsFile open(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      SafetensorsFile f = new SafetensorsFile(file, channel);
      f.readHeader();
      return f;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Tensor name to {@link Tensor}, in the header's order. */
  Map<String, Object> tensors() {
    return tensors;
  }

  private void readHeader() throws IOException {
    long size = channel.size();
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(len, 0);
    long headerLength = len.getLong(0);
    if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
      throw new CheckpointException(
          file + ": not a safetensors file (header length " + headerLength + ")");
    }
    ByteBuffer header = ByteBuffer.allocate((int) headerLength);
    readFully(header, 8);
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(new String(header.array(), StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new CheckpointException(
          file + ": safetensors header is not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject())
      throw new CheckpointException(file + ": safetensors header is not a JSON object");
    long dataStart = 8 + headerLength;
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) continue;
      tensors.put(e.getKey(), tensor(e.getKey(), e.getValue(), dataStart, size));
    }
  }

  private Tensor tensor(String name, JsonNode info, long dataStart, long fileSize) {
    String where = file + ": tensor '" + name + "'";
    DType dtype;
    try {
      dtype = DType.valueOf(info.path("dtype").asText(""));
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(
          where + " has unsupported dtype '" + info.path("dtype").asText() + "'");
    }
    JsonNode shapeNode = info.path("shape");
    JsonNode offsets = info.path("data_offsets");
    if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
      throw new CheckpointException(
          where + ": header entry needs shape and data_offsets [begin, end]");
    }
    long[] shape = new long[shapeNode.size()];
    long numel = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asLong(-1);
      if (shape[i] < 0) throw new CheckpointException(where + ": bad shape " + shapeNode);
      numel *= shape[i];
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    if (begin < 0 || end < begin || dataStart + end > fileSize) {
      throw new CheckpointException(where + ": data_offsets " + offsets + " outside the file");
    }
    if (end - begin != numel * dtype.bytes()) {
      throw new CheckpointException(
          where + ": " + (end - begin) + " bytes for " + numel + " " + dtype + " values");
    }
    if (end - begin > Integer.MAX_VALUE - 8) throw new CheckpointException(where + " is over 2 GB");
    long count = numel;
    StorageView.Storage storage =
        new StorageView.Storage() {
          @Override
          public DType dtype() {
            return dtype;
          }

          @Override
          public long numel() {
            return count;
          }

          @Override
          public ByteBuffer bytes() {
            ByteBuffer buf =
                ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
            try {
              readFully(buf, dataStart + begin);
            } catch (IOException e) {
              throw new CheckpointException(where + ": cannot read: " + e.getMessage(), e);
            }
            return buf;
          }

          @Override
          public String describe() {
            return where;
          }
        };
    return StorageView.contiguous(storage, 0, shape);
  }

  private void readFully(ByteBuffer buf, long position) throws IOException {
    long at = position;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, at);
      if (n < 0) throw new CheckpointException(file + ": truncated at byte " + at);
      at += n;
    }
    buf.flip();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
