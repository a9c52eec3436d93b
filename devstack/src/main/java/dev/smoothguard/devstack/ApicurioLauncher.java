package dev.smoothguard.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Main class of the registry child process started by {@link EmbeddedRegistry}: runs the Apicurio
 * runner's own main class in this JVM, and exits as soon as its standard input closes. The parent
 * holds the other end of that pipe, so when the parent exits for any reason (even {@code kill -9},
 * where no shutdown hook runs) the operating system closes the pipe and the registry follows it
 * instead of being orphaned.
 *
 * <p>It also removes its scratch folder (system property {@value #SCRATCH_PROPERTY}, Vert.x caches)
 * when it exits, for the case where the parent died before it could.
 *
 * <p>Uses only the JDK and {@link FileTrees}: the child's class path is this module plus the runner
 * jar.
 */
public final class ApicurioLauncher {
  static final String SCRATCH_PROPERTY = "smoothguard.registry.scratch";

  /** Only folders made by EmbeddedRegistry are ever deleted. */
  static final String SCRATCH_PREFIX = "smoothguard-registry-";

  private ApicurioLauncher() {}

  /**
   * Shutdown hooks run side by side: Quarkus' own may still write caches into the scratch folder
   * while this one deletes it, so delete until it stays gone (bounded to about 2 s).
   */
  private static void removeScratch(Path dir) {
    for (int attempt = 0; attempt < 20 && Files.exists(dir); attempt++) {
      if (FileTrees.deleteRecursively(dir).isEmpty() && !Files.exists(dir)) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** {@code args[0]}: the runner's main class; the rest go to it. */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: ApicurioLauncher <runner main class> [args...]");
      System.exit(2);
    }
    String scratch = System.getProperty(SCRATCH_PROPERTY);
    if (scratch != null && Path.of(scratch).getFileName().toString().startsWith(SCRATCH_PREFIX)) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> removeScratch(Path.of(scratch)), "scratch-cleanup"));
    }
    Thread watchdog = new Thread(ApicurioLauncher::exitWhenParentGoes, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      Class.forName(args[0])
          .getMethod("main", String[].class)
          .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private static void exitWhenParentGoes() {
    try (InputStream in = System.in) {
      byte[] buffer = new byte[256];
      while (in.read(buffer) >= 0) {
        // the parent never writes; reading only waits for end-of-stream
      }
    } catch (IOException e) {
      // a broken pipe means the same as end-of-stream: the parent is gone
    }
    Thread halter =
        new Thread(
            () -> {
              try {
                Thread.sleep(20_000);
              } catch (InterruptedException ignored) {
                return;
              }
              Runtime.getRuntime().halt(3); // shutdown hooks hung: do not linger
            },
            "halt-timer");
    halter.setDaemon(true);
    halter.start();
    System.exit(0);
  }
}
