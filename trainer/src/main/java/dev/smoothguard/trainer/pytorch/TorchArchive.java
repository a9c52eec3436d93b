package dev.smoothguard.trainer.pytorch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A {@code torch.save} zip archive (PyTorch 1.6+): {@code PREFIX/data.pkl} holds the object tree,
 * each tensor storage is the raw entry {@code PREFIX/data/KEY}. PREFIX is "archive" in recent
 * versions and the file's stem in older ones. Storages are read when a tensor is.
 */
final class TorchArchive implements AutoCloseable {
  private final Path file;
  private final ZipFile zip;
  private final String prefix;
  private final ByteOrder order;
  private String cachedEntry;
  private ByteBuffer cached;

  private TorchArchive(Path file, ZipFile zip, String prefix, ByteOrder order) {
    this.file = file;
    this.zip = zip;
    this.prefix = prefix;
    this.order = order;
  }

  static TorchArchive open(Path file) throws IOException {
    ZipFile zip = new ZipFile(file.toFile());
    try {
      String prefix = prefixOf(file, zip);
      ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
      ByteOrder order =
          ByteOrder.LITTLE_ENDIAN; // archives without the entry were written little-endian
      if (byteorder != null) {
        String text = new String(read(zip, byteorder, 16), StandardCharsets.US_ASCII).trim();
        if (text.equals("big")) order = ByteOrder.BIG_ENDIAN;
        else if (!text.equals("little"))
          throw new CheckpointException(file + ": unknown byte order '" + text + "'");
      }
      return new TorchArchive(file, zip, prefix, order);
    } catch (IOException | RuntimeException e) {
      zip.close();
      throw e;
    }
  }

  /** The top folder holding data.pkl, with its slash. */
  private static String prefixOf(Path file, ZipFile zip) {
    List<String> found = new ArrayList<>();
    for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
      String name = e.nextElement().getName();
      int slash = name.indexOf('/');
      if (slash > 0 && name.substring(slash + 1).equals("data.pkl"))
        found.add(name.substring(0, slash + 1));
    }
    if (found.isEmpty()) {
      String hint =
          zip.getEntry("constants.pkl") != null || hasCode(zip)
              ? " (it looks like a TorchScript archive from torch.jit.save; save the state dict instead)"
              : "";
      throw new CheckpointException(
          file + ": a zip file but not a torch.save checkpoint: no TOP/data.pkl" + hint);
    }
    if (found.size() > 1)
      throw new CheckpointException(file + ": several data.pkl entries " + found);
    return found.get(0);
  }

  private static boolean hasCode(ZipFile zip) {
    return zip.stream().anyMatch(e -> e.getName().contains("/code/"));
  }

  /** The object tree of data.pkl, tensors resolved lazily against this archive. */
  Object load() throws IOException {
    ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
    byte[] pickle = read(zip, pkl, Integer.MAX_VALUE - 8);
    String source = file.getFileName() + " (" + prefix + "data.pkl)";
    return new WeightsOnlyUnpickler(pickle, source, this::storage).load();
  }

  private StorageView.Storage storage(DType dtype, String key, long numel) {
    ZipEntry entry = zip.getEntry(prefix + "data/" + key);
    String name = "storage " + key + " of " + file.getFileName();
    if (entry == null) throw new CheckpointException(file + ": missing " + prefix + "data/" + key);
    long needed = numel * dtype.bytes();
    if (entry.getSize() >= 0 && entry.getSize() < needed) {
      throw new CheckpointException(
          file + ": " + name + " has " + entry.getSize() + " bytes, needs " + needed);
    }
    if (needed > Integer.MAX_VALUE - 8)
      throw new CheckpointException(file + ": " + name + " is over 2 GB");
    return new StorageView.Storage() {
      @Override
      public DType dtype() {
        return dtype;
      }

      @Override
      public long numel() {
        return numel;
      }

      @Override
      public ByteBuffer bytes() {
        return storageBytes(entry, (int) needed, name).duplicate().order(order);
      }

      @Override
      public String describe() {
        return name;
      }
    };
  }

  /**
   * The bytes of one storage entry. The last one read is kept: tensors that are views of one
   * storage (e.g. a flattened parameter buffer) then cost one read, not one each.
   */
  private synchronized ByteBuffer storageBytes(ZipEntry entry, int length, String name) {
    if (!entry.getName().equals(cachedEntry) || cached.capacity() < length) {
      try {
        cached = ByteBuffer.wrap(read(zip, entry, length));
      } catch (IOException e) {
        throw new CheckpointException(file + ": cannot read " + name + ": " + e.getMessage(), e);
      }
      cachedEntry = entry.getName();
    }
    return cached;
  }

  private static byte[] read(ZipFile zip, ZipEntry entry, int max) throws IOException {
    try (InputStream s = zip.getInputStream(entry)) {
      return s.readNBytes(max);
    }
  }

  @Override
  public void close() throws IOException {
    zip.close();
  }
}
