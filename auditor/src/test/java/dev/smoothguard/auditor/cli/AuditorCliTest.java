package dev.smoothguard.auditor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    Files.writeString(file, "n=lots\nalpha=7\nkafka.bootstrap.servers=localhost:1\nregistry.url=http://localhost:1\n");
    int[] code = {0};
    String[] err = run(code, "audit", "--config", file.toString());
    assertEquals(2, code[0]);
    assertTrue(err[0].startsWith("smoothguard audit: Invalid value lots for configuration n: Not a number"), String.join("\n", err));
    assertTrue(err[1].contains("configuration alpha: must be in (0,1) (env SMOOTHGUARD_ALPHA)"), String.join("\n", err));
  }

  @Test
  void aMissingConfigFileOrModelIsOneClearLine(@TempDir Path dir) {
    int[] code = {0};
    String[] err = run(code, "audit", "--config", dir.resolve("nope.properties").toString());
    assertEquals(2, code[0]);
    assertTrue(err[0].contains("nope.properties: no such file"), err[0]);
    err = run(code, "replay", "--data", "folder:" + dir.resolve("none"), "--bootstrap-servers", "localhost:1",
        "--registry-url", "http://localhost:1");
    assertEquals(2, code[0]);
    assertTrue(err[0].contains("not a directory"), err[0]);
    err = run(code, "replay", "--data", "x");
    assertEquals(2, code[0]);
    assertTrue(err[0].startsWith("smoothguard: Missing required options"), err[0]);
  }
}
