package dev.smoothguard.auditor.config;

import dev.smoothguard.schemas.registry.DurationSetting;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.smoothing.engine.Mode;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.CaseInsensitiveValidString;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.NonEmptyString;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigException;

/**
 * Every key of the auditor's configuration, in one Kafka {@link ConfigDef}: name, type, default,
 * validator and documentation.
 *
 * <p><b>To add a key</b>: add a name constant and one {@code .define(...)} call to {@link
 * #definition()} (in the group where it belongs; the order here is the order of the docs table).
 * That is all: the key is then read from the properties file and from {@code SMOOTHGUARD_<KEY>}
 * (upper-case, '.' -> '_'), validated with every other key, masked in the start-up dump when its
 * type is {@code PASSWORD}, and readable with {@link AuditorConfig#getInt(String)} & co. (add a
 * typed accessor to AuditorConfig only when several callers need it). Then run {@code
 * ConfigTableTest} with {@code -Dsmoothguard.docs.write=true} to regenerate the table in
 * docs/auditor.md (the test fails while the docs and this definition differ). Rules that join
 * several keys go to {@link AuditorConfig}'s cross-checks. A {@code kafka.*} key defined here gets
 * a default and a validator and still goes to the Kafka clients without the prefix; other {@code
 * kafka.*} keys pass through unchecked. The {@code registry.*} keys are defined by {@link
 * RegistryConfig#configDef()} and embedded below.
 */
public final class AuditorConfigDef {
  private AuditorConfigDef() {}

  public static final String APPLICATION_ID = "application.id";
  public static final String MODEL_PATH = "model.path";
  public static final String DEVICE = "device";
  public static final String ORT_THREADS = "ort.threads";
  public static final String MODE = "mode";
  public static final String SIGMA = "sigma";
  public static final String N0 = "n0";
  public static final String N = "n";
  public static final String ALPHA = "alpha";
  public static final String BATCH = "batch";
  public static final String TARGET_RADIUS = "target.radius";
  public static final String SEED = "seed";
  public static final String SHAPE_POLICY = "shape.policy";
  public static final String MAX_PIXELS = "max.pixels";
  public static final String TOPIC_IMAGES = "topic.images";
  public static final String TOPIC_PREDICTIONS = "topic.predictions";
  public static final String TOPIC_DLQ = "topic.dlq";
  public static final String TOPIC_SUMMARY = "topic.summary";
  public static final String TOPICS_CREATE = "topics.create";
  public static final String TOPIC_PARTITIONS = "topic.partitions";
  public static final String TOPIC_REPLICATION = "topic.replication";
  public static final String SUMMARY_WINDOW = "summary.window";
  public static final String SUMMARY_GRACE = "summary.grace";
  public static final String SUMMARY_RADII = "summary.radii";
  public static final String HTTP_PORT = "http.port";
  // the stream's fault model and summaries (read by StreamSettings.from)
  public static final String EVENT_TIME_MAX_FUTURE_SKEW = "event.time.max.future.skew";
  public static final String SYSTEM_FAULT_BACKOFF_MIN = "system.fault.backoff.min";
  public static final String SYSTEM_FAULT_BACKOFF_MAX = "system.fault.backoff.max";
  public static final String ENGINE_ERROR_STREAK = "engine.error.streak";
  public static final String SUMMARY_IDLE_CLOSE = "summary.idle.close";

  /** Keys with this prefix go to Kafka Streams and its clients without it. */
  public static final String KAFKA_PREFIX = "kafka.";

  public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
  public static final String KAFKA_PROCESSING_GUARANTEE = "kafka.processing.guarantee";
  public static final String KAFKA_NUM_STREAM_THREADS = "kafka.num.stream.threads";
  public static final String KAFKA_MAX_POLL_RECORDS = "kafka.max.poll.records";
  public static final String KAFKA_MAX_POLL_INTERVAL_MS = "kafka.max.poll.interval.ms";

  /** The definition (a fresh copy: ConfigDef is mutable). */
  public static ConfigDef definition() {
    ConfigDef def =
        new ConfigDef()
            .define(
                APPLICATION_ID,
                Type.STRING,
                "smoothguard-auditor",
                new NonEmptyString(),
                Importance.HIGH,
                "Kafka Streams application id (consumer group, internal topics).")
            // the model and how it certifies
            .define(
                MODEL_PATH,
                Type.STRING,
                "models/fashion-mnist-dmae-s025.onnx",
                new NonEmptyString(),
                Importance.HIGH,
                "ONNX classifier; its card `NAME.json` beside it gives name, version, "
                    + "class names, sigma.")
            .define(
                DEVICE,
                Type.STRING,
                "auto",
                DEVICES,
                Importance.MEDIUM,
                "`auto`, `cpu`, `cuda`, `cuda:N` (the device used is in every result).")
            .define(
                ORT_THREADS,
                Type.INT,
                0,
                Range.atLeast(0),
                Importance.LOW,
                "ONNX Runtime intra-op threads; 0 = cores ÷ `kafka.num.stream.threads` (at least 1).")
            .define(
                MODE,
                Type.STRING,
                Mode.CERTIFY.name(),
                CaseInsensitiveValidString.in(names(Mode.values())),
                Importance.MEDIUM,
                "`CERTIFY` (fixed n), `PREDICT`, `TARGET` (adaptive test of `target.radius`).")
            .define(
                SIGMA,
                Type.DOUBLE,
                null,
                POSITIVE,
                Importance.MEDIUM,
                "Noise level; unset: the model card's sigma (required when the model has no card).")
            .define(
                N0,
                Type.INT,
                null,
                AT_LEAST_ONE,
                Importance.MEDIUM,
                "Selection samples; unset: "
                    + SmoothingSettings.DEFAULT_N0
                    + " (`CERTIFY`, `PREDICT`), or "
                    + SmoothingSettings.DEFAULT_TARGET_N0
                    + " with `mode=TARGET` (enough to pick a clear-cut class, few next to its "
                    + "first look of 64 samples), as in the engine's CLI.")
            .define(
                N,
                Type.INT,
                10_000,
                Range.atLeast(1),
                Importance.MEDIUM,
                "Estimation samples (the cap in TARGET mode).")
            .define(
                ALPHA,
                Type.DOUBLE,
                0.001,
                OPEN_UNIT,
                Importance.MEDIUM,
                "Failure probability of a certificate.")
            .define(
                BATCH,
                Type.INT,
                1000,
                Range.atLeast(1),
                Importance.LOW,
                "Monte Carlo batch per graph run.")
            .define(
                TARGET_RADIUS,
                Type.DOUBLE,
                null,
                POSITIVE,
                Importance.LOW,
                "Radius for `mode=TARGET` (required there).")
            .define(
                SEED,
                Type.LONG,
                null,
                Importance.LOW,
                "Fixed noise seed (reproducible runs): any 64-bit integer on the CPU; on CUDA, "
                    + "whose noise is drawn in the graph, 0..2^24 only (checked at start); "
                    + "unset = fresh noise.")
            .define(
                SHAPE_POLICY,
                Type.STRING,
                "reject",
                CaseInsensitiveValidString.in(names(ShapePolicy.values())),
                Importance.MEDIUM,
                "`reject` (WRONG_SHAPE) or `resize` (bilinear + channel conversion, "
                    + "`resized=true` in the result; the radius is then in the resized image's pixels).")
            .define(
                MAX_PIXELS,
                Type.LONG,
                4_194_304L,
                Range.atLeast(1),
                Importance.LOW,
                "Larger images are TOO_LARGE.")
            // topics
            .define(
                TOPIC_IMAGES,
                Type.STRING,
                "images",
                TOPIC_NAME,
                Importance.HIGH,
                "Input (ImageEvent).")
            .define(
                TOPIC_PREDICTIONS,
                Type.STRING,
                "certified-predictions",
                TOPIC_NAME,
                Importance.HIGH,
                "Output (CertifiedPrediction).")
            .define(
                TOPIC_DLQ,
                Type.STRING,
                "audit-dlq",
                TOPIC_NAME,
                Importance.HIGH,
                "Dead letters (AuditFailure).")
            .define(
                TOPIC_SUMMARY,
                Type.STRING,
                "robustness-summary",
                TOPIC_NAME,
                Importance.HIGH,
                "Summaries (RobustnessSummary).")
            .define(
                TOPICS_CREATE,
                Type.BOOLEAN,
                true,
                Importance.LOW,
                "Create missing topics at start (else they must exist).")
            .define(
                TOPIC_PARTITIONS,
                Type.INT,
                1,
                Range.atLeast(1),
                Importance.LOW,
                "Partitions of created topics.")
            .define(
                TOPIC_REPLICATION,
                Type.INT,
                1,
                Range.between(1, (int) Short.MAX_VALUE),
                Importance.LOW,
                "Replication factor of created topics.")
            // summaries and operations
            .define(
                SUMMARY_WINDOW,
                Type.STRING,
                "PT1M",
                DurationSetting.validator(true),
                Importance.MEDIUM,
                "Tumbling window size.")
            .define(
                SUMMARY_GRACE,
                Type.STRING,
                "PT5S",
                DurationSetting.validator(false),
                Importance.LOW,
                "How late an image may arrive and still count in its window.")
            .define(
                SUMMARY_RADII,
                Type.LIST,
                "0,0.25,0.5,1.0",
                RADII,
                Importance.LOW,
                "Radii of the certified-accuracy list and gauge.")
            .define(
                SUMMARY_IDLE_CLOSE,
                Type.STRING,
                "PT2M",
                DurationSetting.validator(true),
                Importance.LOW,
                "A window that has received no image for this long (wall clock) is closed and emitted, "
                    + "so the last window of a burst reaches the dashboards.")
            .define(
                HTTP_PORT,
                Type.INT,
                8080,
                Range.between(0, 65535),
                Importance.MEDIUM,
                "`/health`, `/ready`, `/metrics` (0 = a free port).")
            // the fault model: what is the record's fault, what pauses
            .define(
                EVENT_TIME_MAX_FUTURE_SKEW,
                Type.STRING,
                "PT1H",
                DurationSetting.validator(false),
                Importance.LOW,
                "An eventTime further ahead of the auditor's clock (or negative) is "
                    + "dead-lettered as INVALID_EVENT_TIME before certification.")
            .define(
                SYSTEM_FAULT_BACKOFF_MIN,
                Type.STRING,
                "PT1S",
                DurationSetting.validator(true),
                Importance.LOW,
                "First wait after a fault of the system (registry refusing, broken engine); doubles per retry.")
            .define(
                SYSTEM_FAULT_BACKOFF_MAX,
                Type.STRING,
                "PT1M",
                DurationSetting.validator(true),
                Importance.LOW,
                "Longest wait between retries while paused on a fault of the system.")
            .define(
                ENGINE_ERROR_STREAK,
                Type.INT,
                3,
                Range.atLeast(1),
                Importance.LOW,
                "The same engine error on this many images in a row pauses the stream (a fault of the "
                    + "system) instead of dead-lettering them as MODEL_ERROR.");
    // the schema registry: defined once, by the registry client
    RegistryConfig.configDef().configKeys().values().forEach(def::define);
    // Kafka settings the auditor checks or gives a default; any other kafka.* key passes through
    return def.define(
            KAFKA_BOOTSTRAP_SERVERS,
            Type.STRING,
            ConfigDef.NO_DEFAULT_VALUE,
            new NonEmptyString(),
            Importance.HIGH,
            "Kafka brokers. Any Kafka Streams / client setting can be given with "
                + "the prefix `kafka.` (`kafka.security.protocol`, `kafka.sasl.jaas.config`, "
                + "`kafka.ssl.truststore.location`, ...).")
        .define(
            KAFKA_PROCESSING_GUARANTEE,
            Type.STRING,
            "exactly_once_v2",
            ValidString.in("exactly_once_v2", "at_least_once"),
            Importance.MEDIUM,
            "`exactly_once_v2` or `at_least_once`.")
        .define(
            KAFKA_NUM_STREAM_THREADS,
            Type.INT,
            1,
            Range.atLeast(1),
            Importance.MEDIUM,
            "Stream threads (they share one engine).")
        .define(
            KAFKA_MAX_POLL_RECORDS,
            Type.INT,
            10,
            Range.atLeast(1),
            Importance.MEDIUM,
            "Records fetched per poll (the stream still certifies one record per task per transaction: see exactly-once sized to the work).")
        .define(
            KAFKA_MAX_POLL_INTERVAL_MS,
            Type.INT,
            600_000,
            Range.atLeast(1),
            Importance.MEDIUM,
            "Must exceed one loop over the tasks of a thread (tasks x certification time, x2): checked at start.");
  }

  private static String[] names(Enum<?>... values) {
    return Arrays.stream(values).map(Enum::name).toArray(String[]::new);
  }

  /** An optional count: unset (null) or >= 1. */
  private static final Validator AT_LEAST_ONE =
      described(
          "[1,...]",
          (name, value) -> {
            if (value != null && (Integer) value < 1) {
              throw new ConfigException(name, value, "Value must be at least 1");
            }
          });

  private static final Validator POSITIVE =
      described(
          "a number > 0",
          (name, value) -> {
            if (value != null && !((Double) value > 0 && Double.isFinite((Double) value))) {
              throw new ConfigException(name, value, "must be a number > 0");
            }
          });

  private static final Validator OPEN_UNIT =
      described(
          "in (0,1)",
          (name, value) -> {
            if (value == null || !((Double) value > 0 && (Double) value < 1)) {
              throw new ConfigException(name, value, "must be in (0,1)");
            }
          });

  private static final Validator DEVICES =
      described(
          "auto, cpu, cuda, cuda:N",
          (name, value) -> {
            if (value == null
                || !value.toString().toLowerCase(Locale.ROOT).matches("auto|cpu|cuda(:\\d+)?")) {
              throw new ConfigException(name, value, "must be auto, cpu, cuda or cuda:N");
            }
          });

  private static final Validator TOPIC_NAME =
      described(
          "topic name",
          (name, value) -> {
            if (value == null || !value.toString().matches("[a-zA-Z0-9._-]{1,249}")) {
              throw new ConfigException(
                  name, value, "not a valid topic name (letters, digits, '.', '_', '-')");
            }
          });

  private static final Validator RADII =
      described(
          "comma-separated numbers >= 0",
          (name, value) -> {
            List<?> list = (List<?>) value;
            if (list == null || list.isEmpty()) {
              throw new ConfigException(name, value, "needs at least one radius");
            }
            for (Object item : list) {
              double r;
              try {
                r = Double.parseDouble(item.toString());
              } catch (NumberFormatException e) {
                throw new ConfigException(name, value, "not a comma-separated list of numbers");
              }
              if (!(r >= 0) || Double.isInfinite(r)) {
                throw new ConfigException(name, value, "radii must be >= 0, got " + item);
              }
            }
          });

  /** A validator that says what it accepts in the docs table. */
  private static Validator described(String description, Validator check) {
    return new Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        check.ensureValid(name, value);
      }

      @Override
      public String toString() {
        return description;
      }
    };
  }
}
