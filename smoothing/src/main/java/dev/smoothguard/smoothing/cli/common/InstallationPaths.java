package dev.smoothguard.smoothing.cli.common;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Relative paths on a command line (models/..., data/...) as a user means them: from the working
 * directory when they exist there, else from the installation root that {@code bin/smoothguard}
 * passes as {@code -Dsmoothguard.home}, so the README's commands work from any folder.
 */
public final class InstallationPaths {
  /** System property set by {@code bin/smoothguard}: the project root. */
  public static final String HOME_PROPERTY = "smoothguard.home";

  private InstallationPaths() {}

  /** A relative path from the working directory, else from the installation root. */
  public static Path resolve(String p) {
    Path path = Path.of(p);
    if (path.isAbsolute() || Files.exists(path)) return path;
    String home = System.getProperty(HOME_PROPERTY);
    if (home != null && Files.exists(Path.of(home).resolve(p))) return Path.of(home).resolve(p);
    return path;
  }

  /** A dataset spec with its {@code folder:} path resolved; other kinds unchanged. */
  public static String resolveDataSpec(String spec) {
    return spec.startsWith("folder:")
        ? "folder:" + resolve(spec.substring("folder:".length()))
        : spec;
  }
}
