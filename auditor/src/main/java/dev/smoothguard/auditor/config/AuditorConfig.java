package dev.smoothguard.auditor.config;

import static dev.smoothguard.auditor.config.AuditorConfigDef.*;

import dev.smoothguard.schemas.registry.DurationSetting;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.smoothing.engine.Mode;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.types.Password;

/**
 * The auditor's whole configuration, validated once at start against {@link AuditorConfigDef}: a
 * properties file, overridden key by key by {@code SMOOTHGUARD_*} environment variables ({@code
 * model.path} <- {@code SMOOTHGUARD_MODEL_PATH}), with every {@code kafka.*} key passed to the
 * Kafka clients without the prefix (so SASL/TLS work by configuration alone). Every bad value is
 * reported, one line each, in a single {@link ConfigException}. Immutable.
 *
 * <p>Typed accessors for the keys the code reads in many places; any key can be read with {@link
 * #getInt(String)}, {@link #getString(String)} & co.
 */
public final class AuditorConfig {
  public static final String ENV_PREFIX = SettingsSource.ENV_PREFIX;
  public static final String KAFKA_PREFIX = AuditorConfigDef.KAFKA_PREFIX;
  private static final ConfigDef DEFINITION = definition();

  private final Map<String, String> raw;
  private final Map<String, Object> values;
  private final Map<String, String> kafka;
  private final RegistryConfig registry;

  private AuditorConfig(
      Map<String, String> raw,
      Map<String, Object> values,
      Map<String, String> kafka,
      RegistryConfig registry) {
    this.raw = raw;
    this.values = values;
    this.kafka = kafka;
    this.registry = registry;
  }

  /** Reads a properties file (may be null: defaults only) and applies the environment. */
  public static AuditorConfig load(Path file, Map<String, String> env) {
    return from(SettingsSource.readFile(file), env);
  }

  /** Builds the config from raw key/values (file) overridden by the environment. */
  public static AuditorConfig from(Map<String, String> fileValues, Map<String, String> env) {
    return from(fileValues, env, Map.of());
  }

  /**
   * Builds the config from raw key/values (file), overridden by the environment, overridden by
   * {@code overrides} (command-line flags).
   */
  public static AuditorConfig from(
      Map<String, String> fileValues, Map<String, String> env, Map<String, String> overrides) {
    List<String> problems = new ArrayList<>();
    Map<String, String> known = new TreeMap<>();
    fileValues.forEach(
        (key, value) -> {
          if (isKey(key)) {
            known.put(key, value.trim());
          } else {
            problems.add(
                "unknown key '"
                    + key
                    + "' (known keys: docs/auditor.md, Configuration; "
                    + "Kafka settings take the prefix 'kafka.')");
          }
        });
    Map<String, String> raw =
        new TreeMap<>(SettingsSource.withEnvironment(known, env, AuditorConfig::isKey));
    overrides.forEach(
        (key, value) -> {
          if (isKey(key)) {
            raw.put(key, value.trim());
          } else {
            problems.add("unknown key '" + key + "'");
          }
        });
    Map<String, Object> values = parse(raw, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    crossCheck(values, raw, problems);
    RegistryConfig registry = null;
    try {
      registry = RegistryConfig.fromSettings(registryValues(values));
    } catch (org.apache.kafka.common.config.ConfigException e) {
      problems.add(e.getMessage());
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new AuditorConfig(
        Collections.unmodifiableMap(raw),
        Collections.unmodifiableMap(values),
        Collections.unmodifiableMap(kafkaSettings(values, raw)),
        registry);
  }

  /** A key the auditor reads: one of the definition, or any Kafka setting. */
  public static boolean isKey(String key) {
    return DEFINITION.names().contains(key)
        || (key.startsWith(KAFKA_PREFIX) && key.length() > KAFKA_PREFIX.length());
  }

  /** {@code SMOOTHGUARD_MODEL_PATH -> model.path}; empty for variables that name no key. */
  static Optional<String> keyOfEnv(String variable) {
    return SettingsSource.keyOfEnv(variable, AuditorConfig::isKey);
  }

  /**
   * The environment variable that overrides a key: {@code model.path -> SMOOTHGUARD_MODEL_PATH}.
   */
  public static String envVariableOf(String key) {
    return SettingsSource.envVariableOf(key);
  }

  /** Parses and validates every defined key; blank optional values count as unset. */
  private static Map<String, Object> parse(Map<String, String> raw, List<String> problems) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigKey key : DEFINITION.configKeys().values()) {
      String value = raw.get(key.name);
      boolean optional = !key.hasDefault() || key.defaultValue == null;
      if (value == null || (optional && value.isBlank())) {
        if (key.hasDefault()) {
          values.put(key.name, key.defaultValue);
        } else {
          problems.add(key.name + ": required (env " + envVariableOf(key.name) + ")");
        }
        continue;
      }
      try {
        Object parsed = ConfigDef.parseType(key.name, value, key.type);
        if (key.validator != null) {
          key.validator.ensureValid(key.name, parsed);
        }
        values.put(key.name, parsed);
      } catch (org.apache.kafka.common.config.ConfigException e) {
        String shown =
            key.type == ConfigDef.Type.PASSWORD
                ? e.getMessage().replace(value, "[hidden]")
                : e.getMessage();
        problems.add(shown + " (env " + envVariableOf(key.name) + ")");
      }
    }
    return values;
  }

  /** Rules that join several keys. */
  private static void crossCheck(
      Map<String, Object> values, Map<String, String> raw, List<String> problems) {
    try {
      // the engine's own rules (e.g. TARGET needs a radius); sigma may come from the model card
      sampling(values, 1.0);
    } catch (IllegalArgumentException e) {
      problems.add(
          "sampling settings ("
              + MODE
              + ", "
              + N0
              + ", "
              + N
              + ", "
              + ALPHA
              + ", "
              + BATCH
              + ", "
              + TARGET_RADIUS
              + "): "
              + e.getMessage());
    }
    Object backoffMin = values.get(AuditorConfigDef.SYSTEM_FAULT_BACKOFF_MIN);
    Object backoffMax = values.get(AuditorConfigDef.SYSTEM_FAULT_BACKOFF_MAX);
    if (backoffMin != null
        && backoffMax != null
        && DurationSetting.parse(backoffMax.toString())
                .compareTo(DurationSetting.parse(backoffMin.toString()))
            < 0) {
      problems.add(
          AuditorConfigDef.SYSTEM_FAULT_BACKOFF_MAX
              + ": must be >= "
              + AuditorConfigDef.SYSTEM_FAULT_BACKOFF_MIN);
    }
    if (raw.containsKey(KAFKA_PREFIX + "application.id")) {
      problems.add("kafka.application.id: set application.id instead (without the kafka. prefix)");
    }
  }

  private static SmoothingSettings sampling(Map<String, Object> v, double sigmaIfUnset) {
    Double sigma = (Double) v.get(SIGMA);
    Double radius = (Double) v.get(TARGET_RADIUS);
    Long seed = (Long) v.get(SEED);
    Mode mode = modeOf(v);
    return new SmoothingSettings(
        sigma == null ? sigmaIfUnset : sigma,
        n0Of(v, mode),
        (Integer) v.get(N),
        (Double) v.get(ALPHA),
        (Integer) v.get(BATCH),
        mode,
        radius == null ? OptionalDouble.empty() : OptionalDouble.of(radius),
        seed == null ? OptionalLong.empty() : OptionalLong.of(seed));
  }

  private static Mode modeOf(Map<String, Object> v) {
    return Mode.valueOf(((String) v.get(MODE)).toUpperCase(Locale.ROOT));
  }

  /** n0 as set; unset: the engine's default for the mode (TARGET selects with fewer samples). */
  private static int n0Of(Map<String, Object> v, Mode mode) {
    Integer n0 = (Integer) v.get(N0);
    if (n0 != null) {
      return n0;
    }
    return mode == Mode.TARGET ? SmoothingSettings.DEFAULT_TARGET_N0 : SmoothingSettings.DEFAULT_N0;
  }

  private static Map<String, Object> registryValues(Map<String, Object> values) {
    Map<String, Object> registry = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(RegistryConfig.PREFIX)) {
            registry.put(k, v);
          }
        });
    return registry;
  }

  /**
   * Every kafka.* key without the prefix: the defined ones (defaults applied), then the rest as
   * given.
   */
  private static Map<String, String> kafkaSettings(
      Map<String, Object> values, Map<String, String> raw) {
    Map<String, String> kafka = new TreeMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(KAFKA_PREFIX) && v != null) {
            kafka.put(
                k.substring(KAFKA_PREFIX.length()),
                ConfigDef.convertToString(v, DEFINITION.configKeys().get(k).type));
          }
        });
    raw.forEach(
        (k, v) -> {
          if (k.startsWith(KAFKA_PREFIX) && !DEFINITION.names().contains(k)) {
            kafka.put(k.substring(KAFKA_PREFIX.length()), v);
          }
        });
    return kafka;
  }

  // ---- generic access: any defined key ----

  /** The parsed value of a defined key (null for an unset optional key). */
  public Object value(String key) {
    if (!values.containsKey(key)) {
      throw new IllegalArgumentException("not a key of AuditorConfigDef: " + key);
    }
    return values.get(key);
  }

  public String getString(String key) {
    return (String) value(key);
  }

  public int getInt(String key) {
    return (Integer) value(key);
  }

  public long getLong(String key) {
    return (Long) value(key);
  }

  public double getDouble(String key) {
    return (Double) value(key);
  }

  public boolean getBoolean(String key) {
    return (Boolean) value(key);
  }

  @SuppressWarnings("unchecked")
  public List<String> getList(String key) {
    return (List<String>) value(key);
  }

  /** A duration key (ISO-8601 or milliseconds, see {@link DurationSetting}). */
  public Duration getDuration(String key) {
    return DurationSetting.parse(getString(key));
  }

  /** A PASSWORD key; its toString() is masked. */
  public Optional<Password> getPassword(String key) {
    return Optional.ofNullable((Password) value(key));
  }

  // ---- typed accessors ----

  public String applicationId() {
    return getString(APPLICATION_ID);
  }

  public Path modelPath() {
    return Path.of(getString(MODEL_PATH));
  }

  public String device() {
    return getString(DEVICE).toLowerCase(Locale.ROOT);
  }

  public int ortThreads() {
    return getInt(ORT_THREADS);
  }

  public Mode mode() {
    return modeOf(values);
  }

  public OptionalDouble sigma() {
    Double s = (Double) value(SIGMA);
    return s == null ? OptionalDouble.empty() : OptionalDouble.of(s);
  }

  /** The selection samples: as set, else 100, or 32 in TARGET mode. */
  public int n0() {
    return n0Of(values, mode());
  }

  public int n() {
    return getInt(N);
  }

  public double alpha() {
    return getDouble(ALPHA);
  }

  public int batch() {
    return getInt(BATCH);
  }

  public OptionalDouble targetRadius() {
    Double r = (Double) value(TARGET_RADIUS);
    return r == null ? OptionalDouble.empty() : OptionalDouble.of(r);
  }

  public OptionalLong seed() {
    Long s = (Long) value(SEED);
    return s == null ? OptionalLong.empty() : OptionalLong.of(s);
  }

  /** The smoothing settings with this sigma (the config's when set, else e.g. the model card's). */
  public SmoothingSettings sampling(double sigma) {
    return sampling(values, sigma);
  }

  public ShapePolicy shapePolicy() {
    return ShapePolicy.valueOf(getString(SHAPE_POLICY).toUpperCase(Locale.ROOT));
  }

  public long maxPixels() {
    return getLong(MAX_PIXELS);
  }

  public Topics topics() {
    return new Topics(
        getString(TOPIC_IMAGES),
        getString(TOPIC_PREDICTIONS),
        getString(TOPIC_DLQ),
        getString(TOPIC_SUMMARY));
  }

  public boolean topicsCreate() {
    return getBoolean(TOPICS_CREATE);
  }

  public int topicPartitions() {
    return getInt(TOPIC_PARTITIONS);
  }

  public short topicReplication() {
    return (short) getInt(TOPIC_REPLICATION);
  }

  public Duration summaryWindow() {
    return getDuration(SUMMARY_WINDOW);
  }

  public Duration summaryGrace() {
    return getDuration(SUMMARY_GRACE);
  }

  /** The radii, sorted ascending. */
  public List<Double> summaryRadii() {
    return getList(SUMMARY_RADII).stream().map(s -> Double.parseDouble(s.trim())).sorted().toList();
  }

  /** How to reach the schema registry (URL, auth, TLS, timeouts, retries). */
  public RegistryConfig registry() {
    return registry;
  }

  public String registryUrl() {
    return registry.url().toString();
  }

  public boolean registryAutoRegister() {
    return registry.autoRegister();
  }

  public int httpPort() {
    return getInt(HTTP_PORT);
  }

  /** Every Kafka setting, without the {@code kafka.} prefix, defaults applied. */
  public Map<String, String> kafka() {
    return kafka;
  }

  /** Number of Kafka Streams threads (kafka.num.stream.threads). */
  public int streamThreads() {
    return getInt(KAFKA_NUM_STREAM_THREADS);
  }

  public boolean exactlyOnce() {
    return "exactly_once_v2".equals(getString(KAFKA_PROCESSING_GUARANTEE));
  }

  /**
   * ONNX Runtime intra-op threads: the configured value, or the machine's cores split evenly across
   * the stream threads that share the one session (at least 1), so the cores are not
   * oversubscribed.
   */
  public int effectiveOrtThreads(int availableCores) {
    if (ortThreads() > 0) return ortThreads();
    return Math.max(1, availableCores / Math.max(1, streamThreads()));
  }

  /**
   * A copy with some keys set otherwise (validated again), e.g. {@code sigma} or {@code kafka.*}.
   */
  public AuditorConfig with(Map<String, String> overrides) {
    return from(Map.of(), Map.of(), merged(overrides));
  }

  /**
   * A copy with other Kafka settings, given without the prefix (the demo and tests point it at a
   * broker).
   */
  public AuditorConfig withKafka(Map<String, String> overrides) {
    Map<String, String> prefixed = new TreeMap<>();
    overrides.forEach((k, v) -> prefixed.put(KAFKA_PREFIX + k, v));
    return with(prefixed);
  }

  private Map<String, String> merged(Map<String, String> overrides) {
    Map<String, String> all = new TreeMap<>(raw);
    all.putAll(overrides);
    return all;
  }

  /**
   * One {@code key=value} line per setting for the start-up log, defined keys in the order of the
   * definition, then the other Kafka settings. PASSWORD keys and sensitive Kafka settings ({@link
   * SensitiveKeys}) show {@code [hidden]}.
   */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    for (ConfigKey key : DEFINITION.configKeys().values()) {
      // n0 unset: the log shows the default the mode chose
      Object v = key.name.equals(N0) ? (Object) n0() : values.get(key.name);
      String shown;
      if (v == null) {
        shown = "";
      } else if (key.type == ConfigDef.Type.PASSWORD) {
        shown = "[hidden]";
      } else {
        shown = ConfigDef.convertToString(v, key.type);
      }
      lines.add(key.name + "=" + shown);
    }
    raw.forEach(
        (k, v) -> {
          if (k.startsWith(KAFKA_PREFIX) && !DEFINITION.names().contains(k)) {
            String setting = k.substring(KAFKA_PREFIX.length());
            lines.add(k + "=" + (SensitiveKeys.isSensitive(setting) ? "[hidden]" : v));
          }
        });
    return lines;
  }

  @Override
  public String toString() {
    return "AuditorConfig" + describe();
  }
}
