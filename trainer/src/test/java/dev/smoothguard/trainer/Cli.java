package dev.smoothguard.trainer;

import dev.smoothguard.trainer.cli.TrainerCli;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the trainer's command line in-process and keeps its exit code and stderr. */
record Cli(int exitCode, String err) {
  static Cli run(String... args) {
    StringWriter err = new StringWriter();
    var cl = TrainerCli.commandLine();
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Cli(code, err.toString());
  }
}
