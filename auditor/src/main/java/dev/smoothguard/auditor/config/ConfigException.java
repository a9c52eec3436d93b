package dev.smoothguard.auditor.config;

import dev.smoothguard.smoothing.errors.UserError;
import java.util.List;

/** The configuration is invalid; the message holds one line per bad value. */
public final class ConfigException extends UserError {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join(System.lineSeparator(), problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
