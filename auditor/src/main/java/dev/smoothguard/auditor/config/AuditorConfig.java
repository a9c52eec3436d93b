package dev.smoothguard.auditor.config;

import dev.smoothguard.smoothing.engine.Mode;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The auditor's whole configuration, validated once at start: a properties file, overridden
 * key by key by {@code SMOOTHGUARD_*} environment variables ({@code model.path} <-
 * {@code SMOOTHGUARD_MODEL_PATH}), with every {@code kafka.*} key passed to the Kafka clients
 * without the prefix (so SASL/TLS work by configuration alone). Every bad value is reported,
 * one line each, in a single {@link ConfigException}.
 */
public record AuditorConfig(
    String applicationId,
    Path modelPath,
    String device,
    int ortThreads,
    Mode mode,
    OptionalDouble sigma,
    int n0,
    int n,
    double alpha,
    int batch,
    OptionalDouble targetRadius,
    OptionalLong seed,
    ShapePolicy shapePolicy,
    long maxPixels,
    Topics topics,
    boolean topicsCreate,
    int topicPartitions,
    short topicReplication,
    Duration summaryWindow,
    Duration summaryGrace,
    List<Double> summaryRadii,
    String registryUrl,
    Optional<String> registryUser,
    Optional<String> registryPassword,
    boolean registryAutoRegister,
    int httpPort,
    Map<String, String> kafka) {

  public static final String ENV_PREFIX = "SMOOTHGUARD_";
  public static final String KAFKA_PREFIX = "kafka.";

  /** Every key the auditor itself understands, with its default ("" = no default). */
  public static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("application.id", "smoothguard-auditor");
    d.put("model.path", "models/fashion-mnist-dmae-s025.onnx");
    d.put("device", "auto");
    d.put("ort.threads", "0");
    d.put("mode", "CERTIFY");
    d.put("sigma", "");
    d.put("n0", "100");
    d.put("n", "10000");
    d.put("alpha", "0.001");
    d.put("batch", "1000");
    d.put("target.radius", "");
    d.put("seed", "");
    d.put("shape.policy", "reject");
    d.put("max.pixels", "4194304");
    d.put("topic.images", "images");
    d.put("topic.predictions", "certified-predictions");
    d.put("topic.dlq", "audit-dlq");
    d.put("topic.summary", "robustness-summary");
    d.put("topics.create", "true");
    d.put("topic.partitions", "1");
    d.put("topic.replication", "1");
    d.put("summary.window", "PT1M");
    d.put("summary.grace", "PT5S");
    d.put("summary.radii", "0,0.25,0.5,1.0");
    d.put("registry.url", "");
    d.put("registry.auth.user", "");
    d.put("registry.auth.password", "");
    d.put("registry.auto.register", "true");
    d.put("http.port", "8080");
    return Collections.unmodifiableMap(d);
  }

  /**
   * Kafka settings the auditor sets unless the user does: exactly-once, and a poll small
   * enough that its certification work fits max.poll.interval.ms (see the README's poll rule).
   */
  public static final Map<String, String> KAFKA_DEFAULTS = Map.of(
      "processing.guarantee", "exactly_once_v2",
      "num.stream.threads", "1",
      "max.poll.records", "10",
      "max.poll.interval.ms", "600000");

  /** Reads a properties file (may be null: defaults only) and applies the environment. */
  public static AuditorConfig load(Path file, Map<String, String> env) {
    Properties props = new Properties();
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException(List.of("config file " + file + ": no such file"));
      }
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        props.load(r);
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigException(List.of("config file " + file + ": cannot read (" + e.getMessage() + ")"));
      }
    }
    Map<String, String> raw = new TreeMap<>();
    for (String k : props.stringPropertyNames()) raw.put(k.trim(), props.getProperty(k).trim());
    return from(raw, env);
  }

  /** Builds the config from raw key/values (file) overridden by the environment. */
  public static AuditorConfig from(Map<String, String> fileValues, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    Map<String, String> values = new TreeMap<>();
    for (Map.Entry<String, String> e : fileValues.entrySet()) {
      String key = e.getKey();
      if (!DEFAULTS.containsKey(key) && !key.startsWith(KAFKA_PREFIX)) {
        problems.add("unknown key '" + key + "' (known keys: see the README's auditor table; Kafka settings take the prefix 'kafka.')");
        continue;
      }
      values.put(key, e.getValue());
    }
    // Env wins. Unknown SMOOTHGUARD_* variables (e.g. the launcher's SMOOTHGUARD_JAVA_OPTS) are not keys.
    for (Map.Entry<String, String> e : env.entrySet()) {
      Optional<String> key = keyOfEnv(e.getKey());
      key.ifPresent(k -> values.put(k, e.getValue().trim()));
    }
    Parser p = new Parser(values, problems);
    String applicationId = p.text("application.id");
    Path modelPath = p.path("model.path");
    String device = p.device("device");
    int ortThreads = p.intAtLeast("ort.threads", 0);
    Mode mode = p.enumOf("mode", Mode.class);
    OptionalDouble sigma = p.optionalPositive("sigma");
    int n0 = p.intAtLeast("n0", 1);
    int n = p.intAtLeast("n", 1);
    double alpha = p.openUnit("alpha");
    int batch = p.intAtLeast("batch", 1);
    OptionalDouble targetRadius = p.optionalPositive("target.radius");
    OptionalLong seed = p.optionalLong("seed");
    ShapePolicy shapePolicy = p.enumOf("shape.policy", ShapePolicy.class);
    long maxPixels = p.longAtLeast("max.pixels", 1);
    Topics topics = new Topics(p.topic("topic.images"), p.topic("topic.predictions"),
        p.topic("topic.dlq"), p.topic("topic.summary"));
    boolean topicsCreate = p.bool("topics.create");
    int partitions = p.intAtLeast("topic.partitions", 1);
    int replication = p.intAtLeast("topic.replication", 1);
    Duration window = p.duration("summary.window", true);
    Duration grace = p.duration("summary.grace", false);
    List<Double> radii = p.radii("summary.radii");
    String registryUrl = p.url("registry.url");
    Optional<String> user = p.optionalText("registry.auth.user");
    Optional<String> password = p.optionalText("registry.auth.password");
    if (user.isPresent() != password.isPresent()) {
      problems.add("registry.auth.user and registry.auth.password must be set together");
    }
    boolean autoRegister = p.bool("registry.auto.register");
    int httpPort = p.intInRange("http.port", 0, 65535);
    if (mode == Mode.TARGET && targetRadius.isEmpty()) {
      problems.add("target.radius: required when mode=TARGET (a radius > 0 in [0,1] pixel units)");
    }
    if (replication > Short.MAX_VALUE) problems.add("topic.replication: too large: " + replication);

    Map<String, String> kafka = new TreeMap<>(KAFKA_DEFAULTS);
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (e.getKey().startsWith(KAFKA_PREFIX)) kafka.put(e.getKey().substring(KAFKA_PREFIX.length()), e.getValue());
    }
    if (!kafka.containsKey("bootstrap.servers") || kafka.get("bootstrap.servers").isBlank()) {
      problems.add("kafka.bootstrap.servers: required (e.g. localhost:9092; env SMOOTHGUARD_KAFKA_BOOTSTRAP_SERVERS)");
    }
    String guarantee = kafka.get("processing.guarantee");
    if (!Set.of("exactly_once_v2", "at_least_once").contains(guarantee)) {
      problems.add("kafka.processing.guarantee: must be exactly_once_v2 or at_least_once, got '" + guarantee + "'");
    }
    for (String k : List.of("num.stream.threads", "max.poll.records", "max.poll.interval.ms")) {
      String v = kafka.get(k);
      try {
        if (Long.parseLong(v) < 1) problems.add("kafka." + k + ": must be >= 1, got '" + v + "'");
      } catch (NumberFormatException ex) {
        problems.add("kafka." + k + ": not a whole number: '" + v + "'");
      }
    }
    if (kafka.containsKey("application.id")) {
      problems.add("kafka.application.id: set application.id instead (without the kafka. prefix)");
    }
    if (!problems.isEmpty()) throw new ConfigException(problems);
    return new AuditorConfig(applicationId, modelPath, device, ortThreads, mode, sigma, n0, n,
        alpha, batch, targetRadius, seed, shapePolicy, maxPixels, topics, topicsCreate, partitions,
        (short) replication, window, grace, radii, registryUrl, user, password, autoRegister,
        httpPort, Collections.unmodifiableMap(kafka));
  }

  /** {@code SMOOTHGUARD_MODEL_PATH -> model.path}; empty for variables that name no key. */
  static Optional<String> keyOfEnv(String variable) {
    if (!variable.startsWith(ENV_PREFIX)) return Optional.empty();
    String key = variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    if (DEFAULTS.containsKey(key) || (key.startsWith(KAFKA_PREFIX) && key.length() > KAFKA_PREFIX.length())) {
      return Optional.of(key);
    }
    return Optional.empty();
  }

  /** The environment variable that overrides a key: {@code model.path -> SMOOTHGUARD_MODEL_PATH}. */
  public static String envVariableOf(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /** Number of Kafka Streams threads (kafka.num.stream.threads). */
  public int streamThreads() {
    return Integer.parseInt(kafka.get("num.stream.threads"));
  }

  public boolean exactlyOnce() {
    return "exactly_once_v2".equals(kafka.get("processing.guarantee"));
  }

  /**
   * ONNX Runtime intra-op threads: the configured value, or the machine's cores split evenly
   * across the stream threads that share the one session (at least 1), so the cores are not
   * oversubscribed.
   */
  public int effectiveOrtThreads(int availableCores) {
    if (ortThreads > 0) return ortThreads;
    return Math.max(1, availableCores / Math.max(1, streamThreads()));
  }

  /** Returns a copy with other Kafka settings (used by the demo and tests to point at a broker). */
  public AuditorConfig withKafka(Map<String, String> overrides) {
    Map<String, String> k = new TreeMap<>(kafka);
    k.putAll(overrides);
    return new AuditorConfig(applicationId, modelPath, device, ortThreads, mode, sigma, n0, n,
        alpha, batch, targetRadius, seed, shapePolicy, maxPixels, topics, topicsCreate,
        topicPartitions, topicReplication, summaryWindow, summaryGrace, summaryRadii, registryUrl,
        registryUser, registryPassword, registryAutoRegister, httpPort,
        Collections.unmodifiableMap(k));
  }

  /** Key=value lines for the start-up log, secrets masked. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    lines.add("application.id=" + applicationId);
    lines.add("model.path=" + modelPath);
    lines.add("device=" + device + " ort.threads=" + ortThreads + " mode=" + mode + " sigma="
        + (sigma.isPresent() ? sigma.getAsDouble() : "(model card)") + " n0=" + n0 + " n=" + n
        + " alpha=" + alpha + " batch=" + batch);
    lines.add("topics=" + topics + " shape.policy=" + shapePolicy + " max.pixels=" + maxPixels);
    lines.add("registry.url=" + registryUrl + " summary.window=" + summaryWindow);
    Set<String> kafkaKeys = new TreeSet<>(kafka.keySet());
    for (String k : kafkaKeys) {
      boolean secret = k.contains("password") || k.contains("jaas") || k.contains("secret");
      lines.add("kafka." + k + "=" + (secret ? "****" : kafka.get(k)));
    }
    return lines;
  }

  /** Parses values, collecting one problem line per bad value instead of failing fast. */
  private static final class Parser {
    private final Map<String, String> values;
    private final List<String> problems;

    Parser(Map<String, String> values, List<String> problems) {
      this.values = values;
      this.problems = problems;
    }

    private String raw(String key) {
      String v = values.get(key);
      return v != null ? v : DEFAULTS.get(key);
    }

    private void bad(String key, String why) {
      problems.add(key + ": " + why + " (env " + envVariableOf(key) + ")");
    }

    String text(String key) {
      String v = raw(key);
      if (v.isBlank()) bad(key, "must not be empty");
      return v;
    }

    Optional<String> optionalText(String key) {
      String v = raw(key);
      return v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    Path path(String key) {
      String v = raw(key);
      if (v.isBlank()) {
        bad(key, "must not be empty");
        return Path.of(".");
      }
      return Path.of(v);
    }

    String topic(String key) {
      String v = raw(key);
      if (!v.matches("[a-zA-Z0-9._-]{1,249}")) {
        bad(key, "not a valid topic name: '" + v + "' (letters, digits, '.', '_', '-')");
      }
      return v;
    }

    String device(String key) {
      String v = raw(key).toLowerCase(Locale.ROOT);
      if (!v.matches("auto|cpu|cuda(:\\d+)?")) bad(key, "must be auto, cpu, cuda or cuda:N, got '" + v + "'");
      return v;
    }

    String url(String key) {
      String v = raw(key);
      if (v.isBlank()) {
        bad(key, "required (the schema registry's base URL, e.g. http://localhost:8081)");
      } else if (!v.matches("https?://.+")) {
        bad(key, "must be an http:// or https:// URL, got '" + v + "'");
      }
      return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
    }

    boolean bool(String key) {
      String v = raw(key).toLowerCase(Locale.ROOT);
      if (!v.equals("true") && !v.equals("false")) bad(key, "must be true or false, got '" + v + "'");
      return v.equals("true");
    }

    long longAtLeast(String key, long min) {
      String v = raw(key);
      try {
        long x = Long.parseLong(v);
        if (x < min) bad(key, "must be >= " + min + ", got " + x);
        return x;
      } catch (NumberFormatException e) {
        bad(key, "not a whole number: '" + v + "'");
        return min;
      }
    }

    int intAtLeast(String key, int min) {
      return intInRange(key, min, Integer.MAX_VALUE);
    }

    int intInRange(String key, int min, int max) {
      String v = raw(key);
      try {
        int x = Integer.parseInt(v);
        if (x < min || x > max) {
          bad(key, max == Integer.MAX_VALUE ? "must be >= " + min + ", got " + x
              : "must be in " + min + ".." + max + ", got " + x);
        }
        return x;
      } catch (NumberFormatException e) {
        bad(key, "not a whole number: '" + v + "'");
        return min;
      }
    }

    OptionalLong optionalLong(String key) {
      String v = raw(key);
      if (v.isBlank()) return OptionalLong.empty();
      try {
        return OptionalLong.of(Long.parseLong(v));
      } catch (NumberFormatException e) {
        bad(key, "not a whole number: '" + v + "'");
        return OptionalLong.empty();
      }
    }

    OptionalDouble optionalPositive(String key) {
      String v = raw(key);
      if (v.isBlank()) return OptionalDouble.empty();
      try {
        double x = Double.parseDouble(v);
        if (!(x > 0) || Double.isInfinite(x)) bad(key, "must be a number > 0, got " + v);
        return OptionalDouble.of(x);
      } catch (NumberFormatException e) {
        bad(key, "not a number: '" + v + "'");
        return OptionalDouble.empty();
      }
    }

    double openUnit(String key) {
      String v = raw(key);
      try {
        double x = Double.parseDouble(v);
        if (!(x > 0 && x < 1)) bad(key, "must be in (0,1), got " + v);
        return x;
      } catch (NumberFormatException e) {
        bad(key, "not a number: '" + v + "'");
        return 0.5;
      }
    }

    <E extends Enum<E>> E enumOf(String key, Class<E> type) {
      String v = raw(key).toUpperCase(Locale.ROOT);
      try {
        return Enum.valueOf(type, v);
      } catch (IllegalArgumentException e) {
        List<String> names = new ArrayList<>();
        for (E c : type.getEnumConstants()) names.add(c.name().toLowerCase(Locale.ROOT));
        bad(key, "must be one of " + names + ", got '" + raw(key) + "'");
        return type.getEnumConstants()[0];
      }
    }

    Duration duration(String key, boolean positive) {
      String v = raw(key);
      try {
        Duration d = Duration.parse(v);
        if (positive ? (d.isZero() || d.isNegative()) : d.isNegative()) {
          bad(key, "must be " + (positive ? "> 0" : ">= 0") + ", got " + v);
        }
        return d;
      } catch (DateTimeParseException e) {
        bad(key, "not an ISO-8601 duration (e.g. PT1M, PT30S): '" + v + "'");
        return Duration.ofMinutes(1);
      }
    }

    List<Double> radii(String key) {
      String v = raw(key);
      List<Double> out = new ArrayList<>();
      for (String part : v.split(",")) {
        try {
          double r = Double.parseDouble(part.trim());
          if (!(r >= 0) || Double.isInfinite(r)) {
            bad(key, "radii must be >= 0, got " + part.trim());
          } else {
            out.add(r);
          }
        } catch (NumberFormatException e) {
          bad(key, "not a comma-separated list of numbers: '" + v + "'");
          return List.of(0.0);
        }
      }
      out.sort(Double::compare);
      return List.copyOf(out);
    }
  }
}
