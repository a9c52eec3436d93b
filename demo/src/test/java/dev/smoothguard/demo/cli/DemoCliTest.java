package dev.smoothguard.demo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * demo and bench-stream follow the one CLI policy: user error exit 2 with one line, bug exit 1 with
 * a stack trace.
 */
class DemoCliTest {
  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("an invariant broke");
    }
  }

  private static int run(StringWriter err, CommandLine cli, String... args) {
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void aUserErrorExitsTwoWithOneLine() {
    StringWriter err = new StringWriter();
    assertEquals(2, run(err, DemoCli.commandLine(), "demo", "--count", "-1"));
    assertEquals("smoothguard demo: --count must be >= 0, got -1", err.toString().strip());
    err = new StringWriter();
    assertEquals(
        2, run(err, DemoCli.commandLine(), "bench-stream", "--model", "no-such-model.onnx"));
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    assertTrue(err.toString().contains("no-such-model.onnx not found"), err.toString());
  }

  @Test
  void aBugExitsOneWithAStackTrace() {
    StringWriter err = new StringWriter();
    CommandLine cli = DemoCli.commandLine();
    cli.addSubcommand("boom", new Boom());
    assertEquals(1, run(err, cli, "boom"));
    assertTrue(
        err.toString().contains("java.lang.IllegalStateException: an invariant broke"),
        err.toString());
    assertTrue(err.toString().contains("\tat "), err.toString());
  }
}
