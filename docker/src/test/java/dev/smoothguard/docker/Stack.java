package dev.smoothguard.docker;

import java.nio.file.Path;

/** The deployment files under docker/, read once per use. */
final class Stack {
  private Stack() {}

  static ComposeFile compose() {
    return ComposeFile.read(Repo.docker().resolve("compose.yaml"));
  }

  static ComposeFile gpuOverride() {
    return ComposeFile.read(Repo.docker().resolve("compose.gpu.yaml"));
  }

  static Dockerfile cpuImage() {
    return Dockerfile.read(Repo.docker().resolve("Dockerfile"));
  }

  static Dockerfile cudaImage() {
    return Dockerfile.read(Repo.docker().resolve("Dockerfile.cuda"));
  }

  static Path dashboard() {
    return Repo.docker().resolve("grafana/dashboards/smoothguard.json");
  }
}
