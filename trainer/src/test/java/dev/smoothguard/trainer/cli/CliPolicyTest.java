package dev.smoothguard.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The trainer follows the one CLI policy: user error exit 2 with one line, bug exit 1 with a stack
 * trace.
 */
class CliPolicyTest {
  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalArgumentException(
          "a bug, not the user's: an internal argument check failed");
    }
  }

  private static String[] run(int[] code, CommandLine cli, String... args) {
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    code[0] = cli.execute(args);
    return new String[] {err.toString()};
  }

  @Test
  void aUserErrorExitsTwoWithOneLine(@TempDir Path dir) {
    int[] code = {0};
    String err =
        run(
            code,
            TrainerCli.commandLine(),
            "export",
            "--checkpoint",
            dir.toString(),
            "--out",
            dir.resolve("model.txt").toString())[0];
    assertEquals(2, code[0], err);
    assertEquals(1, err.strip().lines().count(), err);
    assertTrue(err.contains("--out must end in .onnx"), err);
  }

  @Test
  void aBugExitsOneWithAStackTrace() {
    int[] code = {0};
    CommandLine cli = TrainerCli.commandLine();
    cli.addSubcommand("boom", new Boom());
    String err = run(code, cli, "boom")[0];
    assertEquals(1, code[0], err);
    assertTrue(err.contains("IllegalArgumentException: a bug"), err);
    assertTrue(err.contains("\tat "), err);
  }
}
