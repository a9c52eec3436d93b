package dev.smoothguard.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A .dockerignore file: patterns matched against context-relative paths (Go filepath.Match syntax
 * plus {@code **}), a pattern also excluding everything below what it matches, {@code !}
 * re-including, the last matching pattern winning.
 */
final class DockerIgnore {
  private record Rule(Pattern pattern, boolean exclude) {}

  private final List<Rule> rules;

  private DockerIgnore(List<Rule> rules) {
    this.rules = rules;
  }

  static DockerIgnore read(Path file) throws IOException {
    List<Rule> rules = new ArrayList<>();
    for (String raw : Files.readAllLines(file)) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      boolean exclude = !line.startsWith("!");
      String glob =
          (exclude ? line : line.substring(1)).replaceAll("^/+", "").replaceAll("/+$", "");
      rules.add(new Rule(Pattern.compile(toRegex(glob) + "(/.*)?"), exclude));
    }
    return new DockerIgnore(rules);
  }

  boolean ignores(String path) {
    boolean ignored = false;
    for (Rule r : rules) {
      if (r.pattern().matcher(path).matches()) {
        ignored = r.exclude();
      }
    }
    return ignored;
  }

  private static String toRegex(String glob) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (glob.startsWith("**/", i)) {
        re.append("(.*/)?");
        i += 2;
      } else if (glob.startsWith("**", i)) {
        re.append(".*");
        i += 1;
      } else if (c == '*') {
        re.append("[^/]*");
      } else if (c == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return re.toString();
  }
}
