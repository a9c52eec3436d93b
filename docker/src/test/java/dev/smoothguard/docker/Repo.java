package dev.smoothguard.docker;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout the tests read: the deployment files and what they refer to. */
final class Repo {
  private Repo() {}

  /**
   * Repository root: {@code -Dsmoothguard.root} (set by the pom), else the parent of the working
   * directory.
   */
  static Path root() {
    String configured = System.getProperty("smoothguard.root");
    Path root =
        (configured != null ? Path.of(configured) : Path.of("..")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("docker/compose.yaml"))) {
      throw new IllegalStateException(
          "not a smoothguard checkout (no docker/compose.yaml): " + root);
    }
    return root;
  }

  static Path docker() {
    return root().resolve("docker");
  }
}
