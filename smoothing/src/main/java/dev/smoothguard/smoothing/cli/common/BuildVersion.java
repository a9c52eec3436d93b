package dev.smoothguard.smoothing.cli.common;

import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version} of every smoothguard command line: the project version the build wrote into the
 * jar's manifest (Implementation-Version, from the parent pom), so it is never repeated in code.
 * Running from classes instead of a jar (an IDE) says so.
 */
public final class BuildVersion implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"smoothguard " + current()};
  }

  /** The project version of this build, or "(development build)" outside a jar. */
  public static String current() {
    String v = BuildVersion.class.getPackage().getImplementationVersion();
    return v != null ? v : "(development build)";
  }
}
