package dev.smoothguard.smoothing.cli;

import dev.smoothguard.smoothing.data.DatasetException;
import dev.smoothguard.smoothing.engine.ModelException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** bin/smoothguard certify | predict | bench | plot. */
@Command(name = "smoothguard", mixinStandardHelpOptions = true, version = "smoothguard 0.1.0",
    description = "Randomized-smoothing certification of ONNX image classifiers.",
    subcommands = {CertifyCommand.class, PredictCommand.class, BenchCommand.class, PlotCommand.class})
public final class SmoothingCli {
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code: 0 ok, 2 user error (one line on stderr). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new SmoothingCli());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (isUserError(e)) {
        cmd.getErr().println("smoothguard " + cmd.getCommandName() + ": " + message(e));
        return 2;
      }
      throw e;
    });
    return cli.execute(args);
  }

  static String message(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) return e.getMessage() + ": no such file or directory";
    if (e instanceof java.nio.file.AccessDeniedException) return e.getMessage() + ": permission denied";
    return e.getMessage();
  }

  /** Problems the user can fix: bad model, bad data, bad flag values, unreadable files. */
  static boolean isUserError(Exception e) {
    return e instanceof ModelException || e instanceof DatasetException
        || e instanceof IllegalArgumentException || e instanceof UncheckedIOException
        || e instanceof java.nio.file.NoSuchFileException
        || e instanceof java.nio.file.AccessDeniedException;
  }
}
