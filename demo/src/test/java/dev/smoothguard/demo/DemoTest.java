package dev.smoothguard.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.auditor.replay.ReplayOrder;
import dev.smoothguard.smoothing.data.Datasets;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
  /** The sample images shipped in data/ (tests run in demo/). */
  private static String sampleData() {
    Path p = Path.of("../data/fashion-mnist-sample");
    if (!Files.isDirectory(p)) p = Path.of("data/fashion-mnist-sample");
    return "folder:" + p.toAbsolutePath().normalize();
  }

  @Test
  void printsResultsAndASummaryThenStopsEverythingItStarted(@TempDir Path temp) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int code =
        Demo.run(
            new Demo.Options(
                5,
                "builtin:mnist-mlp",
                sampleData(),
                0,
                0,
                200,
                20,
                OptionalDouble.of(0.25),
                1,
                temp),
            out,
            new AtomicBoolean());
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, text);
    assertTrue(text.contains("Kafka bootstrap servers: localhost:"), text);
    assertTrue(text.contains("schema registry URL:     http://"), text);
    // the demo interleaves the classes: its first results are the first image of each class
    int[] order = ReplayOrder.INTERLEAVED.indices(Datasets.open(sampleData()));
    for (int i = 0; i < 5; i++) {
      assertTrue(text.contains(String.format("fashion-mnist-sample-%06d", order[i])), text);
    }
    assertTrue(text.contains("certified accuracy over 5 images"), text);
    assertTrue(text.contains("5 results in"), text);
    // the broker's logs, the streams' state and the model were all under temp: nothing is left
    try (Stream<Path> left = Files.list(temp)) {
      assertEquals(List.of(), left.toList());
    }
  }
}
