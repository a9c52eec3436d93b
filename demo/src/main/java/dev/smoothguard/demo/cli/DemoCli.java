package dev.smoothguard.demo.cli;

import dev.smoothguard.auditor.config.ConfigException;
import dev.smoothguard.devstack.RegistryStartException;
import dev.smoothguard.smoothing.data.DatasetException;
import dev.smoothguard.smoothing.engine.ModelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/smoothguard demo|bench-stream}: the auditor on the embedded dev stack. */
@Command(name = "smoothguard", mixinStandardHelpOptions = true,
    description = "smoothguard on the embedded dev stack (KRaft broker + schema registry in one process)",
    subcommands = {DemoCommand.class, BenchStreamCommand.class})
public final class DemoCli {
  /** Stack for the command thread: ONNX Runtime's session creation recurses deeply in native code. */
  static final long STACK_BYTES = 64L << 20;

  public static void main(String[] args) throws InterruptedException {
    int[] code = {1};
    Thread command = new Thread(null, () -> code[0] = execute(args), "smoothguard", STACK_BYTES);
    command.start();
    command.join();
    System.exit(code[0]);
  }

  /** Runs a command line; user errors print one line on stderr and give exit code 2. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new DemoCli());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof ConfigException || e instanceof DatasetException || e instanceof ModelException
          || e instanceof RegistryStartException || e instanceof IllegalArgumentException) {
        cmd.getErr().println("smoothguard " + cmd.getCommandName() + ": " + e.getMessage());
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
}
