package dev.smoothguard.auditor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class AuditorCliTest {
  private static String[] run(int[] code, String... args) {
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      code[0] = AuditorCli.execute(args);
    } finally {
      System.setErr(oldErr);
    }
    return err.toString(StandardCharsets.UTF_8).split("\\R");
  }

  @Test
  void aBadConfigExitsTwoNamingEveryBadKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("auditor.properties");
    Files.writeString(
        file,
        "n=lots\nalpha=7\nkafka.bootstrap.servers=localhost:1\nregistry.url=http://localhost:1\n");
    int[] code = {0};
    String[] err = run(code, "audit", "--config", file.toString());
    assertEquals(2, code[0]);
    assertTrue(
        err[0].startsWith(
            "smoothguard audit: Invalid value lots for configuration n: Not a number"),
        String.join("\n", err));
    assertTrue(
        err[1].contains("configuration alpha: must be in (0,1) (env SMOOTHGUARD_ALPHA)"),
        String.join("\n", err));
  }

  @Test
  void aMissingConfigFileOrModelIsOneClearLine(@TempDir Path dir) {
    int[] code = {0};
    String[] err = run(code, "audit", "--config", dir.resolve("nope.properties").toString());
    assertEquals(2, code[0]);
    assertTrue(err[0].contains("nope.properties: no such file"), err[0]);
    err =
        run(
            code,
            "replay",
            "--data",
            "folder:" + dir.resolve("none"),
            "--bootstrap-servers",
            "localhost:1",
            "--registry-url",
            "http://localhost:1");
    assertEquals(2, code[0]);
    assertTrue(err[0].contains("not a directory"), err[0]);
    err = run(code, "replay", "--data", "x");
    assertEquals(2, code[0]);
    assertTrue(
        err[0].startsWith(
            "smoothguard replay: registry.url: required (env SMOOTHGUARD_REGISTRY_URL)"),
        err[0]);
    assertTrue(
        String.join("\n", err).contains("kafka.bootstrap.servers: required"),
        String.join("\n", err));
    err = run(code, "replay");
    assertEquals(2, code[0]);
    assertTrue(err[0].startsWith("smoothguard: Missing required option: '--data"), err[0]);
  }

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("an invariant broke");
    }
  }

  @Test
  void aBadFlagValueIsAUserErrorAndAnyOtherExceptionABug() {
    int[] code = {0};
    String[] err =
        run(
            code,
            "replay",
            "--data",
            "folder:x",
            "--bootstrap-servers",
            "localhost:1",
            "--registry-url",
            "http://localhost:1",
            "--rate",
            "-1");
    assertEquals(2, code[0]);
    assertEquals("smoothguard replay: --rate must be >= 0, got -1.0", err[0]);

    // an IllegalStateException used to count as the user's; now it is a bug: exit 1, stack trace
    StringWriter out = new StringWriter();
    CommandLine cli = AuditorCli.commandLine();
    cli.addSubcommand("boom", new Boom());
    cli.setErr(new PrintWriter(out, true));
    assertEquals(1, cli.execute("boom"));
    assertTrue(
        out.toString().contains("java.lang.IllegalStateException: an invariant broke"),
        out.toString());
    assertTrue(out.toString().contains("\tat "), out.toString());
  }
}
