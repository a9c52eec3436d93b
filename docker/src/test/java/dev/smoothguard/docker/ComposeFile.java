package dev.smoothguard.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compose file read the way Compose reads it, minus the engine: YAML (anchors and merge keys
 * resolved by the parser), every string interpolated with its default, and the short forms that the
 * tests need turned into one shape (environment as a map, volumes as source/target pairs).
 */
final class ComposeFile {

  private final Path file;
  private final JsonNode root;

  private ComposeFile(Path file, JsonNode root) {
    this.file = file;
    this.root = root;
  }

  static ComposeFile read(Path file) {
    return new ComposeFile(file, interpolate(Yamls.read(file)));
  }

  /** The directory relative paths in the file are resolved against. */
  Path dir() {
    return file.getParent();
  }

  Path file() {
    return file;
  }

  JsonNode root() {
    return root;
  }

  Map<String, JsonNode> services() {
    Map<String, JsonNode> services = new LinkedHashMap<>();
    root.path("services").fields().forEachRemaining(e -> services.put(e.getKey(), e.getValue()));
    return services;
  }

  JsonNode service(String name) {
    JsonNode s = root.path("services").path(name);
    if (s.isMissingNode()) {
      throw new AssertionError(file + " has no service '" + name + "'");
    }
    return s;
  }

  /** A service's environment, from either the map or the KEY=VALUE list form. */
  static Map<String, String> environment(JsonNode service) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode node = service.path("environment");
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e -> env.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        String s = item.asText();
        int eq = s.indexOf('=');
        env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? null : s.substring(eq + 1));
      }
    }
    return env;
  }

  /** A service's command (or entrypoint) as a list of arguments. */
  static List<String> args(JsonNode service, String field) {
    JsonNode node = service.path(field);
    List<String> args = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(a -> args.add(a.asText()));
    } else if (node.isTextual()) {
      args.addAll(List.of(node.asText().trim().split("\\s+")));
    }
    return args;
  }

  /** One volume entry: host source (null for an anonymous volume) and container target. */
  record Mount(String source, String target) {
    boolean isBind() {
      return source != null
          && (source.startsWith(".") || source.startsWith("/") || source.startsWith("~"));
    }
  }

  static List<Mount> mounts(JsonNode service) {
    List<Mount> mounts = new ArrayList<>();
    for (JsonNode v : service.path("volumes")) {
      if (v.isTextual()) {
        String[] parts = v.asText().split(":");
        mounts.add(parts.length == 1 ? new Mount(null, parts[0]) : new Mount(parts[0], parts[1]));
      } else {
        mounts.add(
            new Mount(
                v.path("source").isMissingNode() ? null : v.path("source").asText(),
                v.path("target").asText()));
      }
    }
    return mounts;
  }

  private static JsonNode interpolate(JsonNode node) {
    if (node.isTextual()) {
      return TextNode.valueOf(Interpolation.withDefaults(node.asText()));
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      node.forEach(item -> out.add(interpolate(item)));
      return out;
    }
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.set(e.getKey(), interpolate(e.getValue()));
      }
      return out;
    }
    return node;
  }
}
