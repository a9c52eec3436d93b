package dev.smoothguard.auditor.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Where raw settings come from: a properties file, overridden key by key by the environment ({@code
 * SMOOTHGUARD_} + the key upper-cased with '.' -> '_': {@code model.path} <- {@code
 * SMOOTHGUARD_MODEL_PATH}). Values are trimmed; nothing is interpreted here.
 */
public final class SettingsSource {
  public static final String ENV_PREFIX = "SMOOTHGUARD_";

  private SettingsSource() {}

  /** The key/values of a properties file (empty for null: defaults and environment only). */
  public static Map<String, String> readFile(Path file) {
    Map<String, String> raw = new TreeMap<>();
    if (file == null) {
      return raw;
    }
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(List.of("config file " + file + ": no such file"));
    }
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(
          List.of("config file " + file + ": cannot read (" + e.getMessage() + ")"));
    }
    for (String k : props.stringPropertyNames()) {
      raw.put(k.trim(), props.getProperty(k).trim());
    }
    return raw;
  }

  /**
   * The file's values overridden by the environment variables that name a key. Unknown {@code
   * SMOOTHGUARD_*} variables (e.g. the launcher's SMOOTHGUARD_JAVA_OPTS) are not keys.
   */
  public static Map<String, String> withEnvironment(
      Map<String, String> fileValues, Map<String, String> env, Predicate<String> isKey) {
    Map<String, String> values = new TreeMap<>(fileValues);
    env.forEach(
        (variable, value) -> keyOfEnv(variable, isKey).ifPresent(k -> values.put(k, value.trim())));
    return values;
  }

  /** {@code SMOOTHGUARD_MODEL_PATH -> model.path}; empty for variables that name no key. */
  public static Optional<String> keyOfEnv(String variable, Predicate<String> isKey) {
    if (!variable.startsWith(ENV_PREFIX)) {
      return Optional.empty();
    }
    String key = variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    return isKey.test(key) ? Optional.of(key) : Optional.empty();
  }

  /**
   * The environment variable that overrides a key: {@code model.path -> SMOOTHGUARD_MODEL_PATH}.
   */
  public static String envVariableOf(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }
}
