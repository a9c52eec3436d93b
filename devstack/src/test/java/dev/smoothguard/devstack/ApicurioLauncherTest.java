package dev.smoothguard.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The child exits when its parent's end of stdin closes, which the OS does when the parent dies by
 * any means: that is what keeps the registry from outliving a killed demo.
 */
class ApicurioLauncherTest {

  @Test
  void childExitsWhenItsStdinCloses() throws Exception {
    String classpath = System.getProperty("java.class.path");
    Process child =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    classpath,
                    ApicurioLauncher.class.getName(),
                    BlockForever.class.getName(),
                    "a",
                    "b"))
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
      assertEquals("blocking a,b", out.readLine(), "the wrapped main ran with its arguments");
      assertTrue(child.isAlive());
      child.getOutputStream().close(); // what the OS does when the parent dies
      assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child must exit after its stdin closed");
      assertEquals(0, child.exitValue());
    } finally {
      child.destroyForcibly();
    }
  }
}
