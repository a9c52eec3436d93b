package dev.smoothguard.smoothing.cli.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.smoothing.cli.SmoothingCli;
import dev.smoothguard.smoothing.errors.UserError;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one CLI policy: a user error exits 2 with one line, anything else is a bug (exit 1, stack
 * trace).
 */
class CliPolicyTest {
  /** Exit code and stderr of one command line. */
  record Outcome(int code, String err) {}

  /** A command that throws what it is given. */
  @Command(name = "throw")
  static final class Throwing implements Callable<Integer> {
    private final RuntimeException error;

    Throwing(RuntimeException error) {
      this.error = error;
    }

    @Override
    public Integer call() {
      throw error;
    }
  }

  private static Outcome run(CommandLine cli, RuntimeException error) {
    cli.addSubcommand("throw", new Throwing(error));
    StringWriter err =
        new StringWriter(); // after addSubcommand: setErr reaches the existing subcommands only
    cli.setErr(new PrintWriter(err, true));
    return new Outcome(cli.execute("throw"), err.toString());
  }

  @Command(name = "root")
  static final class Root {}

  @Test
  void aUserErrorExitsTwoWithOneLineNamingTheThing() {
    Outcome o =
        run(CliPolicy.commandLine(new Root()), new UserError("--sigma must be > 0, got -1.0"));
    assertEquals(CliPolicy.USER_ERROR, o.code());
    assertEquals("smoothguard throw: --sigma must be > 0, got -1.0", o.err().strip());
  }

  @Test
  void aBugExitsOneWithItsStackTraceWhateverItsType() {
    for (RuntimeException bug :
        new RuntimeException[] {
          new IllegalStateException("an invariant broke"),
          new IllegalArgumentException("bad internal argument"),
          new NullPointerException("oops")
        }) {
      Outcome o = run(CliPolicy.commandLine(new Root()), bug);
      assertEquals(CliPolicy.BUG, o.code(), o.err());
      assertTrue(o.err().contains(bug.getClass().getName() + ": " + bug.getMessage()), o.err());
      assertTrue(o.err().contains("\tat "), "a stack trace: " + o.err());
    }
  }

  @Test
  void aMissingFileTheUserNamedIsTheirs() {
    Outcome o =
        run(
            CliPolicy.commandLine(new Root()),
            new UncheckedIOException(new NoSuchFileException("runs/x.tsv")));
    assertEquals(CliPolicy.USER_ERROR, o.code());
    assertEquals("smoothguard throw: runs/x.tsv: no such file or directory", o.err().strip());
  }

  @Test
  void aBadFlagIsOneLineWithAPointerToHelp() {
    StringWriter err = new StringWriter();
    CommandLine cli = SmoothingCli.commandLine();
    cli.setErr(new PrintWriter(err, true));
    assertEquals(CliPolicy.USER_ERROR, cli.execute("certify", "--sigma", "lots"));
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    assertTrue(err.toString().startsWith("smoothguard: "), err.toString());
  }

  @Test
  void theEngineCliFollowsThePolicy() {
    Outcome user = run(SmoothingCli.commandLine(), new UserError("model m.onnx: no such file"));
    assertEquals(2, user.code());
    assertEquals(1, user.err().strip().lines().count(), user.err());
    Outcome bug = run(SmoothingCli.commandLine(), new IllegalStateException("an invariant broke"));
    assertEquals(1, bug.code());
    assertTrue(bug.err().contains("\tat "), bug.err());
  }
}
