package dev.smoothguard.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * docker/healthcheck/HealthCheck.java compiled as the images' build stage does, run as their
 * HEALTHCHECK does.
 */
final class HealthProbe {
  private final Path classes;

  private HealthProbe(Path classes) {
    this.classes = classes;
  }

  static HealthProbe compileInto(Path classes) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    Path source = Repo.docker().resolve("healthcheck/HealthCheck.java");
    int rc =
        javac.run(null, null, null, "--release", "17", "-d", classes.toString(), source.toString());
    assertEquals(0, rc, "javac " + source);
    return new HealthProbe(classes);
  }

  /**
   * Runs the probe in its own JVM with these arguments and extra environment; returns its exit
   * code.
   */
  int run(List<String> args, Map<String, String> env) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(
            List.of(java.toString(), "-Xmx24m", "-cp", classes.toString(), "HealthCheck"));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("SMOOTHGUARD_HTTP_PORT");
    pb.environment().putAll(env);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe did not finish: " + output);
    return p.exitValue();
  }
}
