package dev.smoothguard.docker;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A /metrics page in the Prometheus text format: each sample name with the label names it carries.
 */
final class PrometheusText {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})?\\s+\\S+.*$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");

  private final Map<String, Set<String>> labelsByName;

  private PrometheusText(Map<String, Set<String>> labelsByName) {
    this.labelsByName = labelsByName;
  }

  static PrometheusText parse(String page) {
    Map<String, Set<String>> labels = new TreeMap<>();
    for (String line : page.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line.strip());
      if (!m.matches()) {
        throw new IllegalArgumentException("not a Prometheus sample line: " + line);
      }
      Set<String> names = labels.computeIfAbsent(m.group(1), k -> new TreeSet<>());
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          names.add(l.group(1));
        }
      }
    }
    return new PrometheusText(labels);
  }

  Set<String> names() {
    return labelsByName.keySet();
  }

  boolean has(String name) {
    return labelsByName.containsKey(name);
  }

  Set<String> labels(String name) {
    return labelsByName.getOrDefault(name, Set.of());
  }
}
