package dev.smoothguard.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The unpacked Apicurio Registry runner ({@code *-runner.jar} + {@code lib/}) that the devstack
 * build puts into {@code devstack/target/apicurio}, and how to find it at run time.
 *
 * @param dir the folder holding the runner jar
 * @param runnerJar the runner jar
 * @param mainClass its {@code Main-Class}
 */
public record ApicurioDistribution(Path dir, Path runnerJar, String mainClass) {
  /** System property naming the folder explicitly. */
  public static final String DIR_PROPERTY = "smoothguard.apicurio.dir";

  /** System property set by {@code bin/smoothguard}: the project root. */
  public static final String HOME_PROPERTY = "smoothguard.home";

  static final String BUILD_HINT =
      "build it with `./mvnw -B -pl devstack package -DskipTests` (unpacks "
          + "io.apicurio:apicurio-registry-app:2.6.13.Final into devstack/target/apicurio), "
          + "or set -D"
          + DIR_PROPERTY
          + "=<folder with the unpacked runner>";

  /**
   * Looks in {@code -Dsmoothguard.apicurio.dir}, then {@code
   * ${smoothguard.home}/devstack/target/apicurio}, then in {@code devstack/target/apicurio} and
   * {@code target/apicurio} of the working directory and each of its parents, then the same upward
   * from the jar (or folder) these classes were loaded from.
   *
   * @throws RegistryStartException listing the places tried and the command that builds it
   */
  public static ApicurioDistribution locate() {
    Set<Path> candidates = new LinkedHashSet<>();
    String explicit = System.getProperty(DIR_PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      Path dir = Path.of(explicit).toAbsolutePath();
      return in(dir)
          .orElseThrow(
              () ->
                  new RegistryStartException(
                      "no Apicurio runner jar (*-runner.jar) in "
                          + dir
                          + " (from -D"
                          + DIR_PROPERTY
                          + "); "
                          + BUILD_HINT));
    }
    String home = System.getProperty(HOME_PROPERTY);
    if (home != null && !home.isBlank()) {
      candidates.add(Path.of(home, "devstack", "target", "apicurio").toAbsolutePath());
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      candidates.add(d.resolve("devstack/target/apicurio"));
      candidates.add(d.resolve("target/apicurio"));
    }
    // then upward from where these classes come from (devstack/target/..., demo/target/lib/...)
    codeLocation()
        .ifPresent(
            code -> {
              for (Path d = code.getParent(); d != null; d = d.getParent()) {
                candidates.add(d.resolve("devstack/target/apicurio"));
                candidates.add(d.resolve("target/apicurio"));
              }
            });
    for (Path dir : candidates) {
      var found = in(dir);
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw new RegistryStartException(
        "the Apicurio Registry runner is not built: no *-runner.jar in "
            + candidates.stream().limit(4).map(Path::toString).toList()
            + (candidates.size() > 4 ? " or their parents" : "")
            + "; "
            + BUILD_HINT);
  }

  private static Optional<Path> codeLocation() {
    try {
      return Optional.of(
          Path.of(
                  ApicurioDistribution.class
                      .getProtectionDomain()
                      .getCodeSource()
                      .getLocation()
                      .toURI())
              .toAbsolutePath());
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** The distribution in {@code dir}, if it holds a runner jar. */
  public static Optional<ApicurioDistribution> in(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    List<Path> jars = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).forEach(jars::add);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (jars.isEmpty()) {
      return Optional.empty();
    }
    Path jar = jars.get(0);
    try (JarFile file = new JarFile(jar.toFile())) {
      String main =
          file.getManifest() == null
              ? null
              : file.getManifest().getMainAttributes().getValue("Main-Class");
      if (main == null) {
        throw new RegistryStartException(jar + " has no Main-Class in its manifest; " + BUILD_HINT);
      }
      return Optional.of(new ApicurioDistribution(dir, jar, main));
    } catch (IOException e) {
      throw new RegistryStartException(
          "cannot read " + jar + ": " + e.getMessage() + "; " + BUILD_HINT, e);
    }
  }
}
