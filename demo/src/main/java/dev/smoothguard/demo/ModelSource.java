package dev.smoothguard.demo;

import dev.smoothguard.devstack.FileTrees;
import dev.smoothguard.smoothing.cli.common.InstallationPaths;
import dev.smoothguard.smoothing.onnx.BuiltinModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves a model argument: an ONNX file path (relative paths are tried in the working directory,
 * then under the installation: {@link InstallationPaths}), or {@code builtin:NAME} (an untrained
 * MNIST-sized model written to a temp file, removed on close).
 */
public final class ModelSource implements AutoCloseable {
  private final Path path;
  private final Path tempDir;

  private ModelSource(Path path, Path tempDir) {
    this.path = path;
    this.tempDir = tempDir;
  }

  public static ModelSource resolve(String spec) {
    return resolve(spec, null);
  }

  /**
   * As {@link #resolve(String)}, a builtin model's temp folder under tempRoot (null: system temp).
   */
  public static ModelSource resolve(String spec, Path tempRoot) {
    if (spec.startsWith("builtin:")) {
      try {
        Path dir =
            tempRoot == null
                ? Files.createTempDirectory("smoothguard-model-")
                : Files.createTempDirectory(tempRoot, "smoothguard-model-");
        String name = spec.substring("builtin:".length());
        return new ModelSource(BuiltinModels.write(name, dir.resolve(name + ".onnx")), dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new ModelSource(InstallationPaths.resolve(spec), null);
  }

  public Path path() {
    return path;
  }

  @Override
  public void close() {
    FileTrees.deleteRecursively(tempDir);
  }
}
