package dev.smoothguard.trainer.pytorch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A PyTorch checkpoint opened for reading its weights: a {@code torch.save} zip archive
 * (.pth/.pt/.bin/...) read with {@link WeightsOnlyUnpickler}, or a {@code .safetensors} file.
 * Tensors are read when asked for, so a checkpoint that also holds optimizer moments costs only the
 * model's weights.
 */
public final class PytorchCheckpoint implements AutoCloseable {
  /** Prefixes that wrappers put in front of every key (DataParallel/DDP, torch.compile). */
  private static final List<String> WRAPPER_PREFIXES = List.of("module.", "_orig_mod.");

  private final Path file;
  private final String format;
  private final Object root;
  private final AutoCloseable resource;

  private PytorchCheckpoint(Path file, String format, Object root, AutoCloseable resource) {
    this.file = file;
    this.format = format;
    this.root = root;
    this.resource = resource;
  }

  public static PytorchCheckpoint open(Path file) throws IOException {
    if (!Files.isRegularFile(file))
      throw new NoSuchFileException(file.toString(), null, "no such checkpoint file");
    byte[] head = new byte[9];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    }
    if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
      TorchArchive archive = TorchArchive.open(file);
      try {
        return new PytorchCheckpoint(file, "torch.save zip", archive.load(), archive);
      } catch (IOException | RuntimeException e) {
        archive.close();
        throw e;
      }
    }
    if (n >= 2 && (head[0] & 0xff) == 0x80) {
      throw new CheckpointException(
          file
              + ": a legacy (pre-1.6) torch.save file; re-save it with a current "
              + "PyTorch (torch.save(torch.load(f), g)) or convert it to .safetensors");
    }
    // safetensors: 8 bytes of header length, then the JSON header
    if (file.getFileName().toString().endsWith(".safetensors") || n == 9 && head[8] == '{') {
      SafetensorsFile st = SafetensorsFile.open(file);
      return new PytorchCheckpoint(file, "safetensors", st.tensors(), st);
    }
    throw new CheckpointException(
        file + ": neither a torch.save zip checkpoint nor a .safetensors file");
  }

  public Path file() {
    return file;
  }

  /** "torch.save zip" or "safetensors". */
  public String format() {
    return format;
  }

  /** The whole object tree, for inspection. */
  public Object root() {
    return root;
  }

  /**
   * The tensors of the state dict at {@code key} (a dict key, or keys joined by dots for nested
   * dicts, e.g. "model" or "state_dict.ema"), or of the top level when key is null; without a
   * wrapper prefix ("module.") that every key shares.
   */
  public Map<String, Tensor> stateDict(String key) {
    Object node = key == null || key.isEmpty() ? root : find(root, key, "");
    if (!(node instanceof Map<?, ?> map)) {
      throw new CheckpointException(
          file + ": --state-key " + key + " is a " + kind(node) + ", not a dict of tensors");
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    List<String> others = new ArrayList<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = String.valueOf(e.getKey());
      if (e.getValue() instanceof Tensor t) tensors.put(name, t);
      else others.add(name + " (" + kind(e.getValue()) + ")");
    }
    String where = key == null ? "the top level" : "'" + key + "'";
    if (tensors.isEmpty()) {
      List<String> dicts =
          map.entrySet().stream()
              .filter(e -> e.getValue() instanceof Map<?, ?>)
              .map(e -> String.valueOf(e.getKey()))
              .toList();
      throw new CheckpointException(
          file
              + ": "
              + where
              + " holds no tensors; its keys: "
              + keys(map)
              + (dicts.isEmpty()
                  ? ""
                  : ". Pass --state-key "
                      + (dicts.contains("model") ? "model" : dicts.get(0))
                      + " (dicts here: "
                      + dicts
                      + ")"));
    }
    if (!others.isEmpty()) {
      throw new CheckpointException(
          file
              + ": "
              + where
              + " mixes tensors with other values: "
              + others.stream().limit(5).collect(Collectors.joining(", "))
              + "; pick the state dict with --state-key");
    }
    return stripWrapperPrefix(tensors);
  }

  private Object find(Object node, String path, String walked) {
    if (!(node instanceof Map<?, ?> map)) {
      throw new CheckpointException(
          file + ": --state-key: '" + walked + "' is a " + kind(node) + ", not a dict");
    }
    if (map.containsKey(path)) return map.get(path);
    // keys may themselves hold dots: try each split point, the longest first key first
    for (int dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
      String head = path.substring(0, dot);
      if (map.containsKey(head)) {
        return find(
            map.get(head), path.substring(dot + 1), walked.isEmpty() ? head : walked + "." + head);
      }
    }
    String at = walked.isEmpty() ? "the top level" : "'" + walked + "'";
    throw new CheckpointException(
        file + ": --state-key: no key '" + path + "' in " + at + "; keys there: " + keys(map));
  }

  private static Map<String, Tensor> stripWrapperPrefix(Map<String, Tensor> tensors) {
    for (String prefix : WRAPPER_PREFIXES) {
      if (tensors.keySet().stream().allMatch(k -> k.startsWith(prefix))) {
        Map<String, Tensor> stripped = new LinkedHashMap<>();
        tensors.forEach((k, v) -> stripped.put(k.substring(prefix.length()), v));
        return stripWrapperPrefix(stripped);
      }
    }
    return tensors;
  }

  private static String keys(Map<?, ?> map) {
    List<String> names = map.keySet().stream().map(String::valueOf).limit(12).toList();
    return names
        + (map.size() > names.size() ? " and " + (map.size() - names.size()) + " more" : "");
  }

  private static String kind(Object o) {
    if (o == null) return "None";
    if (o instanceof Tensor) return "tensor";
    if (o instanceof Map<?, ?>) return "dict";
    if (o instanceof WeightsOnlyUnpickler.Tuple) return "tuple";
    if (o instanceof List<?>) return "list";
    if (o instanceof WeightsOnlyUnpickler.Inert inert) return inert.type();
    return o.getClass().getSimpleName();
  }

  @Override
  public void close() throws IOException {
    try {
      resource.close();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }
}
