package dev.smoothguard.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * YAML files as Jackson trees; SnakeYAML resolves anchors, aliases and merge keys like Compose
 * does.
 */
final class Yamls {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Yamls() {}

  static JsonNode read(Path file) {
    try (Reader in = Files.newBufferedReader(file)) {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      return JSON.valueToTree(doc);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
