package dev.smoothguard.docker;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compose variable interpolation as {@code docker compose config} does it with no variables set:
 * {@code ${NAME:-default}} and {@code ${NAME-default}} become the default, {@code $$} a dollar. A
 * bare {@code ${NAME}} or {@code $NAME} has no default and is an error here: the stack must start
 * without a .env file.
 */
final class Interpolation {
  private static final Pattern VARIABLE =
      Pattern.compile(
          "\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}|\\$([A-Za-z_][A-Za-z0-9_]*)");

  private Interpolation() {}

  static String withDefaults(String text) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else if (m.group(1) != null && m.group(2) != null) {
        replacement = m.group(2);
      } else {
        String name = m.group(1) != null ? m.group(1) : m.group(3);
        throw new IllegalArgumentException(
            "variable without a default: " + name + " in '" + text + "'");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
