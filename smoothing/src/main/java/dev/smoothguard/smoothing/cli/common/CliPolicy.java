package dev.smoothguard.smoothing.cli.common;

import dev.smoothguard.smoothing.errors.UserError;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;

/**
 * The one error policy of every smoothguard command line (engine, trainer, auditor, demo):
 *
 * <ul>
 *   <li>a {@link UserError} (or a bad flag that picocli rejects) prints one line on stderr, {@code
 *       smoothguard COMMAND: message}, and exits {@value #USER_ERROR};
 *   <li>a file-system error about a path ({@link FileSystemException}: no such file, permission
 *       denied, ...; also inside an {@link UncheckedIOException}) is the user's too: the path is
 *       one they named;
 *   <li>anything else is a bug: picocli prints its stack trace and the command exits {@value #BUG}.
 * </ul>
 *
 * <p>The decision is made on types only, never on message text.
 */
public final class CliPolicy {
  /** A bug: the stack trace is on stderr. */
  public static final int BUG = 1;

  /** Something the user can fix: one line on stderr says what. */
  public static final int USER_ERROR = 2;

  /**
   * Stack for the command thread: ONNX Runtime's session creation recurses deeply in native code,
   * and the launcher's main thread stack can be too small for it (a SIGSEGV without a Java stack
   * trace, depending on the command line's length).
   */
  static final long STACK_BYTES = 64L << 20;

  private CliPolicy() {}

  /** A command line for root with the policy's handlers installed. */
  public static CommandLine commandLine(Object root) {
    CommandLine cli = new CommandLine(root);
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          String message = userMessage(e);
          if (message == null) {
            throw e; // a bug: picocli prints the stack trace and exits BUG
          }
          cmd.getErr()
              .println(
                  "smoothguard "
                      + cmd.getCommandName()
                      + ": "
                      + message.replace(
                          "\n", "\n  ")); // a multi-line message (several bad keys) stays one block
          return USER_ERROR;
        });
    cli.setParameterExceptionHandler(
        (e, args) -> {
          e.getCommandLine()
              .getErr()
              .println(
                  "smoothguard: "
                      + e.getMessage()
                      + " (see "
                      + e.getCommandLine().getCommandName()
                      + " --help)");
          return USER_ERROR;
        });
    cli.setExitCodeExceptionMapper(e -> userMessage(e) != null ? USER_ERROR : BUG);
    return cli;
  }

  /** Runs args under the policy; returns the exit code. */
  public static int execute(Object root, String... args) {
    return commandLine(root).execute(args);
  }

  /**
   * Runs args under the policy on a thread with a large stack (see {@link #STACK_BYTES}) and exits
   * the JVM with the command's exit code: the body of every module's {@code main}.
   */
  public static void main(Object root, String... args) throws InterruptedException {
    int[] code = {BUG};
    Thread command =
        new Thread(null, () -> code[0] = execute(root, args), "smoothguard", STACK_BYTES);
    command.start();
    command.join();
    System.exit(code[0]);
  }

  /** The one line to show for a user error, or null for a bug. */
  static String userMessage(Throwable e) {
    if (e instanceof UserError) return e.getMessage();
    Throwable io = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
    if (io instanceof FileSystemException f) return describe(f);
    return null;
  }

  private static String describe(FileSystemException f) {
    String what =
        f instanceof NoSuchFileException
            ? "no such file or directory"
            : f instanceof AccessDeniedException
                ? "permission denied"
                : f instanceof NotDirectoryException
                    ? "not a directory"
                    : f instanceof FileAlreadyExistsException
                        ? "already exists"
                        : f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
    return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + what;
  }
}
