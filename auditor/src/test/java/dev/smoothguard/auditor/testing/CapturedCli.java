package dev.smoothguard.auditor.testing;

import dev.smoothguard.auditor.cli.AuditorCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs an auditor command line in this JVM, as the launcher would, and captures what it prints. */
public final class CapturedCli {
  private CapturedCli() {}

  /**
   * Runs args under the CLI policy with stdout and stderr captured together.
   *
   * @param code receives the exit code in code[0]
   * @return everything the command printed
   */
  public static String run(int[] code, String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(both, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    System.setErr(capture);
    try {
      code[0] = AuditorCli.execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return both.toString(StandardCharsets.UTF_8);
  }
}
