package dev.smoothguard.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Grafana dashboard JSON: its panels, their PromQL expressions, and the metric names they use.
 */
final class Dashboard {
  /**
   * smoothguard's own metrics and Kafka's (as bound by Micrometer) are what the dashboard may
   * query.
   */
  private static final Pattern METRIC =
      Pattern.compile("\\b((?:smoothguard|kafka)_[a-zA-Z0-9_:]+)");

  private final JsonNode root;

  private Dashboard(JsonNode root) {
    this.root = root;
  }

  static Dashboard read(Path file) {
    try {
      return new Dashboard(new ObjectMapper().readTree(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException("not valid JSON: " + file, e);
    }
  }

  JsonNode root() {
    return root;
  }

  /** Panels, including those nested in collapsed rows. */
  List<JsonNode> panels() {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode p : root.path("panels")) {
      panels.add(p);
      p.path("panels").forEach(panels::add);
    }
    return panels;
  }

  /** Every PromQL expression: panel targets and template variable queries. */
  List<String> expressions() {
    List<String> exprs = new ArrayList<>();
    for (JsonNode p : panels()) {
      p.path("targets")
          .forEach(
              t -> {
                if (t.hasNonNull("expr")) {
                  exprs.add(t.get("expr").asText());
                }
              });
    }
    for (JsonNode v : root.path("templating").path("list")) {
      JsonNode q = v.path("query");
      String text = q.isTextual() ? q.asText() : q.path("query").asText("");
      if (!text.isEmpty()) {
        exprs.add(text);
      }
    }
    return exprs;
  }

  /** Metric names the expressions select (a histogram's _bucket series counts as itself). */
  Set<String> metricNames() {
    Set<String> names = new TreeSet<>();
    for (String e : expressions()) {
      Matcher m = METRIC.matcher(e);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }
}
