package dev.smoothguard.schemas.registry;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A duration-valued configuration key: ConfigDef has no duration type, so the value is a {@code
 * STRING} holding an ISO-8601 duration ({@code PT10S}) or plain milliseconds ({@code 10000}),
 * checked by {@link #validator(boolean)} and read with {@link #parse(String)}.
 */
public final class DurationSetting {
  private DurationSetting() {}

  /** The duration a (validated) value stands for. */
  public static Duration parse(String value) {
    String s = value.strip();
    return s.chars().allMatch(Character::isDigit) && !s.isEmpty()
        ? Duration.ofMillis(Long.parseLong(s))
        : Duration.parse(s);
  }

  /**
   * Accepts ISO-8601 or milliseconds, > 0 when {@code positive}, else >= 0; null passes (optional
   * keys).
   */
  public static ConfigDef.Validator validator(boolean positive) {
    return new ConfigDef.Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        if (value == null) {
          return;
        }
        Duration d;
        try {
          d = parse(value.toString());
        } catch (DateTimeParseException | NumberFormatException e) {
          throw new ConfigException(
              name, value, "not a duration: use ISO-8601 (e.g. PT10S, PT1M) or milliseconds");
        }
        if (positive ? (d.isZero() || d.isNegative()) : d.isNegative()) {
          throw new ConfigException(name, value, "must be " + (positive ? "> 0" : ">= 0"));
        }
      }

      @Override
      public String toString() {
        return "ISO-8601 duration or ms, " + (positive ? "> 0" : ">= 0");
      }
    };
  }
}
