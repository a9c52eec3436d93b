package dev.smoothguard.auditor.cli;

import dev.smoothguard.auditor.config.ConfigException;
import dev.smoothguard.smoothing.data.DatasetException;
import dev.smoothguard.smoothing.engine.ModelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/smoothguard audit|replay} (demo and bench-stream: the demo module's DemoCli). */
@Command(name = "smoothguard", mixinStandardHelpOptions = true,
    description = "smoothguard auditor: certify every image of a Kafka topic",
    subcommands = {AuditCommand.class, ReplayCommand.class})
public final class AuditorCli {
  /** Stack for the command thread: ONNX Runtime's session creation recurses deeply in native code. */
  static final long STACK_BYTES = 64L << 20;

  public static void main(String[] args) throws InterruptedException {
    // The launcher's main thread has a small stack; opening a model there can overflow it in
    // native code (a SIGSEGV without a Java stack trace), depending on the command line length.
    int[] code = {1};
    Thread command = new Thread(null, () -> code[0] = execute(args), "smoothguard", STACK_BYTES);
    command.start();
    command.join();
    System.exit(code[0]);
  }

  /** Runs a command line; user errors print one line on stderr and give exit code 2. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new AuditorCli());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (isUserError(e)) {
        cmd.getErr().println("smoothguard " + cmd.getCommandName() + ": " + e.getMessage()
            .replace(System.lineSeparator(), System.lineSeparator() + "  "));
        return 2;
      }
      throw e;
    });
    cli.setParameterExceptionHandler((e, a) -> {
      e.getCommandLine().getErr().println("smoothguard: " + e.getMessage()
          + " (see " + e.getCommandLine().getCommandName() + " --help)");
      return 2;
    });
    return cli.execute(args);
  }

  static boolean isUserError(Exception e) {
    return e instanceof ConfigException || e instanceof DatasetException || e instanceof ModelException
        || e instanceof IllegalArgumentException || e instanceof IllegalStateException
        || e instanceof dev.smoothguard.schemas.serde.SerdeException
        || e instanceof org.apache.kafka.common.config.ConfigException;
  }
}
