package dev.smoothguard.docker;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.auditor.cli.AuditorCli;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The command lines the images and the compose stack run are ones the auditor's real CLI parses:
 * every option exists and every required one is given (parsed only, nothing is started).
 */
class CommandLinesTest {

  @Test
  void theEntrypointsMainClassIsTheAuditorCli() throws ClassNotFoundException {
    for (Dockerfile d : List.of(Stack.cpuImage(), Stack.cudaImage())) {
      List<String> entrypoint = d.execForm("ENTRYPOINT");
      assertEquals(
          AuditorCli.class,
          Class.forName(entrypoint.get(entrypoint.size() - 1)),
          d.file().getFileName().toString());
    }
  }

  @Test
  void theImagesDefaultCommandParses() {
    for (Dockerfile d : List.of(Stack.cpuImage(), Stack.cudaImage())) {
      ParseResult parsed = parse(d.execForm("CMD"));
      assertEquals("audit", parsed.subcommand().commandSpec().name());
    }
  }

  @Test
  void theReplayServicesCommandParses() {
    List<String> args = ComposeFile.args(Stack.compose().service("replay"), "command");
    ParseResult parsed = parse(args);
    assertEquals("replay", parsed.subcommand().commandSpec().name());
    assertTrue(parsed.subcommand().hasMatchedOption("--registry-url"));
  }

  @Test
  void theReadmesReplayAgainCommandParses() throws Exception {
    // `docker compose run --rm replay replay ... --loop` from the deployment section
    String readme = Files.readString(Repo.root().resolve("docs/deployment.md"));
    int at = readme.indexOf("run --rm replay replay ");
    assertTrue(at > 0, "docs/deployment.md shows how to replay again");
    String line =
        readme
            .substring(at + "run --rm replay ".length(), readme.indexOf('`', at))
            .replaceAll("\\s+", " ")
            .trim();
    ParseResult parsed = parse(List.of(line.split(" ")));
    assertTrue(parsed.subcommand().hasMatchedOption("--loop"));
  }

  private static ParseResult parse(List<String> args) {
    CommandLine cli = new CommandLine(new AuditorCli());
    return assertDoesNotThrow(
        () -> cli.parseArgs(new ArrayList<>(args).toArray(String[]::new)), "parse " + args);
  }
}
