package dev.smoothguard.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code bin/smoothguard <command> --help} works for every trainer command. */
class HelpTest {
  @ParameterizedTest
  @ValueSource(strings = {"train", "train pretrain", "train finetune", "train bench", "export"})
  void helpPrintsUsageAndExitsZero(String command) {
    CommandLine cl = TrainerCli.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    String[] args = (command + " --help").split(" ");
    assertEquals(0, cl.execute(args), out.toString());
    assertTrue(out.toString().startsWith("Usage: smoothguard " + command), out.toString());
  }
}
