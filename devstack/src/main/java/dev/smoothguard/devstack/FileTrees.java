package dev.smoothguard.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one recursive delete of the project: the broker's logs, the streams' state, the registry's
 * scratch folder and the demo's temp models all go through it. JDK only, because the registry's
 * child process (see {@link ApicurioLauncher}) runs it with nothing else on its class path.
 */
public final class FileTrees {
  private FileTrees() {}

  /**
   * Deletes dir and everything under it, best effort: what cannot be deleted (a file still open
   * elsewhere) is left and returned, so the caller decides whether to say so.
   *
   * @param dir a folder, a file, or null (nothing to do)
   * @return the paths left behind, empty when everything went
   */
  public static List<Path> deleteRecursively(Path dir) {
    List<Path> left = new ArrayList<>();
    if (dir == null || !Files.exists(dir)) {
      return left;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  left.add(p);
                }
              });
    } catch (IOException | RuntimeException e) {
      left.add(dir);
    }
    return left;
  }
}
