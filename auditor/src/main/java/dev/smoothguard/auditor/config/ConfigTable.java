package dev.smoothguard.auditor.config;

import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;

/**
 * Renders a {@link ConfigDef} as the Markdown table of the docs (key, type, default, valid values,
 * meaning), in definition order, so the docs are generated from the definition and cannot drift
 * from it (ConfigTableTest compares them).
 */
public final class ConfigTable {
  /** Marks the start and the end of a generated table in a Markdown page. */
  public static final String BEGIN =
      "<!-- generated from the ConfigDef by ConfigTableTest "
          + "(-Dsmoothguard.docs.write=true rewrites it): do not edit by hand -->";

  public static final String END = "<!-- end of generated table -->";

  private ConfigTable() {}

  public static String markdown(ConfigDef def) {
    StringBuilder out = new StringBuilder();
    out.append("| key | type | default | valid values | meaning |\n");
    out.append("|---|---|---|---|---|\n");
    for (ConfigKey key : def.configKeys().values()) {
      if (key.internalConfig) {
        continue;
      }
      out.append("| `")
          .append(key.name)
          .append("` | ")
          .append(key.type.name().toLowerCase(Locale.ROOT))
          .append(" | ")
          .append(defaultOf(key))
          .append(" | ")
          .append(validValues(key))
          .append(" | ")
          .append(cell(key.documentation))
          .append(" |\n");
    }
    return out.toString();
  }

  /**
   * The page with the text between {@link #BEGIN} and {@link #END} replaced by the table.
   *
   * @throws IllegalArgumentException when the page has no such markers
   */
  public static String replaceIn(String page, String table) {
    int begin = page.indexOf(BEGIN);
    int end = page.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("no generated-table markers in the page");
    }
    return page.substring(0, begin + BEGIN.length()) + "\n" + table + page.substring(end);
  }

  /** The text between the markers, or empty when there are none. */
  public static String extract(String page) {
    int begin = page.indexOf(BEGIN);
    int end = page.indexOf(END);
    if (begin < 0 || end < begin) {
      return "";
    }
    return page.substring(begin + BEGIN.length() + 1, end);
  }

  private static String defaultOf(ConfigKey key) {
    if (!key.hasDefault()) {
      return "required";
    }
    if (key.defaultValue == null) {
      return "–";
    }
    String s = ConfigDef.convertToString(key.defaultValue, key.type);
    return s.isEmpty() ? "\"\"" : "`" + s + "`";
  }

  private static String validValues(ConfigKey key) {
    if (key.validator != null) {
      return cell(key.validator.toString());
    }
    return switch (key.type) {
      case BOOLEAN -> "true, false";
      case LONG -> "64-bit integer";
      case INT -> "32-bit integer";
      default -> "";
    };
  }

  private static String cell(String text) {
    return text == null
        ? ""
        : String.join(" ", List.of(text.split("\\s*\n\\s*"))).replace("|", "\\|");
  }
}
