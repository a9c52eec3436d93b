package dev.smoothguard.schemas.registry;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * How to reach a schema registry that speaks the Confluent REST API (Confluent, Apicurio's {@code
 * /apis/ccompat/v7}, Redpanda, Karapace). Built once, validated, immutable.
 *
 * <p>From properties with {@link #fromProperties(Map)} (the {@code registry.*} keys of {@link
 * #configDef()}, documented in docs/contracts.md), or in code with {@link #of(String)} and the
 * {@code with...} methods. To add a key: a constant, one {@code define(...)} in {@link
 * #configDef()}, and its use in {@link #fromSettings(Map)}.
 *
 * @param url base URL of the Confluent-compatible API, e.g. {@code http://localhost:8081} or {@code
 *     http://host:8080/apis/ccompat/v7}
 * @param auth HTTP basic auth, when the registry needs it
 * @param sslContext TLS context for {@code https} URLs; empty means the JVM's default trust
 * @param connectTimeout TCP/TLS connect timeout per attempt
 * @param requestTimeout timeout of one HTTP request (response included) per attempt
 * @param retries how many times a failed request is retried (connection error, timeout, 5xx, 429);
 *     0 = one attempt only
 * @param retryBackoff wait before the first retry; doubled after each retry
 * @param retryBackoffMax upper bound of the wait between retries
 * @param autoRegister serializers register their schema under the subject (true) or only look it up
 *     and fail when it is missing (false)
 */
public record RegistryConfig(
    URI url,
    Optional<BasicAuth> auth,
    Optional<SSLContext> sslContext,
    Duration connectTimeout,
    Duration requestTimeout,
    int retries,
    Duration retryBackoff,
    Duration retryBackoffMax,
    boolean autoRegister) {

  public static final String URL = "registry.url";
  public static final String AUTH_USER = "registry.auth.user";
  public static final String AUTH_PASSWORD = "registry.auth.password";
  public static final String AUTO_REGISTER = "registry.auto.register";
  public static final String CONNECT_TIMEOUT = "registry.connect.timeout";
  public static final String REQUEST_TIMEOUT = "registry.request.timeout";
  public static final String RETRIES = "registry.retries";
  public static final String RETRY_BACKOFF = "registry.retry.backoff";
  public static final String RETRY_BACKOFF_MAX = "registry.retry.backoff.max";
  public static final String TRUSTSTORE_LOCATION = "registry.ssl.truststore.location";
  public static final String TRUSTSTORE_PASSWORD = "registry.ssl.truststore.password";
  public static final String TRUSTSTORE_TYPE = "registry.ssl.truststore.type";
  public static final String KEYSTORE_LOCATION = "registry.ssl.keystore.location";
  public static final String KEYSTORE_PASSWORD = "registry.ssl.keystore.password";
  public static final String KEYSTORE_TYPE = "registry.ssl.keystore.type";
  public static final String KEY_PASSWORD = "registry.ssl.key.password";
  public static final String TRUSTSTORE_CERTIFICATES = "registry.ssl.truststore.certificates";
  public static final String KEYSTORE_CERTIFICATE_CHAIN = "registry.ssl.keystore.certificate.chain";
  public static final String KEYSTORE_KEY = "registry.ssl.keystore.key";

  /** Every key of this config starts with it. */
  public static final String PREFIX = "registry.";

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_RETRIES = 3;
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(200);
  public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(5);
  public static final String DEFAULT_STORE_TYPE = "PKCS12";

  /** User and password for HTTP basic auth. {@link #toString()} hides the password. */
  public record BasicAuth(String user, String password) {
    public BasicAuth {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (user.contains(":")) {
        throw new ConfigException(AUTH_USER, user, "basic-auth user names cannot contain ':'");
      }
    }

    @Override
    public String toString() {
      return "BasicAuth[user=" + user + ", password=***]";
    }
  }

  public RegistryConfig {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(sslContext, "sslContext");
    String scheme = url.getScheme();
    if (scheme == null
        || !(scheme.equals("http") || scheme.equals("https"))
        || url.getHost() == null) {
      throw new ConfigException(
          URL, url.toString(), "must be an http:// or https:// URL with a host");
    }
    requirePositive(CONNECT_TIMEOUT, connectTimeout);
    requirePositive(REQUEST_TIMEOUT, requestTimeout);
    requirePositive(RETRY_BACKOFF, retryBackoff);
    requirePositive(RETRY_BACKOFF_MAX, retryBackoffMax);
    if (retries < 0 || retries > 100) {
      throw new ConfigException(RETRIES, retries, "must be between 0 and 100");
    }
    if (retryBackoffMax.compareTo(retryBackoff) < 0) {
      throw new ConfigException(RETRY_BACKOFF_MAX, retryBackoffMax, "must be >= " + RETRY_BACKOFF);
    }
  }

  /**
   * Defaults for everything but the URL: no auth, JVM TLS trust, 5 s / 10 s, 3 retries,
   * auto-register.
   */
  public static RegistryConfig of(String url) {
    return new RegistryConfig(
        parseUrl(url),
        Optional.empty(),
        Optional.empty(),
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_RETRIES,
        DEFAULT_RETRY_BACKOFF,
        DEFAULT_RETRY_BACKOFF_MAX,
        true);
  }

  public RegistryConfig withAuth(String user, String password) {
    return new RegistryConfig(
        url,
        Optional.of(new BasicAuth(user, password)),
        sslContext,
        connectTimeout,
        requestTimeout,
        retries,
        retryBackoff,
        retryBackoffMax,
        autoRegister);
  }

  public RegistryConfig withSslContext(SSLContext context) {
    return new RegistryConfig(
        url,
        auth,
        Optional.of(context),
        connectTimeout,
        requestTimeout,
        retries,
        retryBackoff,
        retryBackoffMax,
        autoRegister);
  }

  public RegistryConfig withTimeouts(Duration connect, Duration request) {
    return new RegistryConfig(
        url,
        auth,
        sslContext,
        connect,
        request,
        retries,
        retryBackoff,
        retryBackoffMax,
        autoRegister);
  }

  public RegistryConfig withRetries(int count, Duration backoff, Duration backoffMax) {
    return new RegistryConfig(
        url,
        auth,
        sslContext,
        connectTimeout,
        requestTimeout,
        count,
        backoff,
        backoffMax,
        autoRegister);
  }

  public RegistryConfig withAutoRegister(boolean on) {
    return new RegistryConfig(
        url,
        auth,
        sslContext,
        connectTimeout,
        requestTimeout,
        retries,
        retryBackoff,
        retryBackoffMax,
        on);
  }

  /**
   * Reads the {@code registry.*} keys (other keys are ignored) as {@link #configDef()} defines
   * them. Values may be Strings (from a properties file or the environment) or already typed
   * (Boolean, Integer, Duration); blank values count as unset.
   *
   * @throws ConfigException naming the key, for a missing URL or any bad value
   */
  public static RegistryConfig fromProperties(Map<String, ?> props) {
    Map<String, Object> raw = new HashMap<>();
    props.forEach(
        (key, value) -> {
          if (key.startsWith(PREFIX) && value != null && !value.toString().isBlank()) {
            raw.put(key, value instanceof Duration d ? d.toString() : value);
          }
        });
    return fromSettings(configDef().parse(raw));
  }

  /**
   * Builds the config from values already parsed and validated by {@link #configDef()} (or a
   * definition that embeds it), keyed by their full names.
   *
   * @throws ConfigException for settings that contradict each other or TLS material that cannot be
   *     read
   */
  public static RegistryConfig fromSettings(Map<String, Object> v) {
    RegistryConfig config =
        new RegistryConfig(
            parseUrl((String) v.get(URL)),
            Optional.empty(),
            Optional.empty(),
            DurationSetting.parse((String) v.get(CONNECT_TIMEOUT)),
            DurationSetting.parse((String) v.get(REQUEST_TIMEOUT)),
            (Integer) v.get(RETRIES),
            DurationSetting.parse((String) v.get(RETRY_BACKOFF)),
            DurationSetting.parse((String) v.get(RETRY_BACKOFF_MAX)),
            (Boolean) v.get(AUTO_REGISTER));
    String user = (String) v.get(AUTH_USER);
    Password password = (Password) v.get(AUTH_PASSWORD);
    if (user != null && password == null) {
      throw new ConfigException(AUTH_PASSWORD + " is required when " + AUTH_USER + " is set");
    }
    if (user == null && password != null) {
      throw new ConfigException(AUTH_USER + " is required when " + AUTH_PASSWORD + " is set");
    }
    if (user != null) {
      config = config.withAuth(user, password.value());
    }
    Optional<SSLContext> tls = RegistryTls.fromSettings(v);
    return tls.isPresent() ? config.withSslContext(tls.get()) : config;
  }

  /**
   * The definition of every {@code registry.*} key: type, default, validator, documentation. A
   * fresh copy on each call (ConfigDef is mutable); the auditor embeds it in its own definition.
   */
  public static ConfigDef configDef() {
    return new ConfigDef()
        .define(
            URL,
            Type.STRING,
            ConfigDef.NO_DEFAULT_VALUE,
            URL_VALIDATOR,
            Importance.HIGH,
            "Base URL of the Confluent schema-registry API, e.g. `http://localhost:8081` or "
                + "`http://host:8080/apis/ccompat/v7` (Apicurio); `https` for TLS.")
        .define(
            AUTH_USER,
            Type.STRING,
            null,
            Importance.MEDIUM,
            "HTTP basic-auth user (set together with `registry.auth.password`).")
        .define(AUTH_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "HTTP basic-auth password.")
        .define(
            AUTO_REGISTER,
            Type.BOOLEAN,
            true,
            Importance.MEDIUM,
            "Serializers register their schema under the subject; `false`: only look it up and "
                + "fail when it is missing.")
        .define(
            CONNECT_TIMEOUT,
            Type.STRING,
            DEFAULT_CONNECT_TIMEOUT.toString(),
            DurationSetting.validator(true),
            Importance.LOW,
            "Connect timeout per attempt.")
        .define(
            REQUEST_TIMEOUT,
            Type.STRING,
            DEFAULT_REQUEST_TIMEOUT.toString(),
            DurationSetting.validator(true),
            Importance.LOW,
            "Timeout of one whole request (response included) per attempt.")
        .define(
            RETRIES,
            Type.INT,
            DEFAULT_RETRIES,
            Range.between(0, 100),
            Importance.LOW,
            "Retries after a connection error, timeout, HTTP 5xx or 429 (0 = one attempt).")
        .define(
            RETRY_BACKOFF,
            Type.STRING,
            DEFAULT_RETRY_BACKOFF.toString(),
            DurationSetting.validator(true),
            Importance.LOW,
            "First wait between attempts, doubled after each (with up to 20% jitter).")
        .define(
            RETRY_BACKOFF_MAX,
            Type.STRING,
            DEFAULT_RETRY_BACKOFF_MAX.toString(),
            DurationSetting.validator(true),
            Importance.LOW,
            "Cap of the wait between attempts.")
        .define(
            TRUSTSTORE_LOCATION,
            Type.STRING,
            null,
            Importance.MEDIUM,
            "Trust store for `https` registries (file of type `registry.ssl.truststore.type`); "
                + "unset: the JVM's default trust.")
        .define(
            TRUSTSTORE_PASSWORD,
            Type.PASSWORD,
            null,
            Importance.MEDIUM,
            "Password of the trust store (JKS/PKCS12).")
        .define(
            TRUSTSTORE_TYPE,
            Type.STRING,
            DEFAULT_STORE_TYPE,
            STORE_TYPES,
            Importance.LOW,
            "`PKCS12`, `JKS` or `PEM` (a file of certificates).")
        .define(
            TRUSTSTORE_CERTIFICATES,
            Type.PASSWORD,
            null,
            Importance.LOW,
            "Trusted certificates as inline PEM text, instead of a trust store file.")
        .define(
            KEYSTORE_LOCATION,
            Type.STRING,
            null,
            Importance.MEDIUM,
            "Client key store for mutual TLS (file of type `registry.ssl.keystore.type`; a PEM "
                + "file holds the private key and its certificate chain).")
        .define(
            KEYSTORE_PASSWORD,
            Type.PASSWORD,
            null,
            Importance.MEDIUM,
            "Password of the key store (JKS/PKCS12).")
        .define(
            KEYSTORE_TYPE,
            Type.STRING,
            DEFAULT_STORE_TYPE,
            STORE_TYPES,
            Importance.LOW,
            "`PKCS12`, `JKS` or `PEM`.")
        .define(
            KEYSTORE_CERTIFICATE_CHAIN,
            Type.PASSWORD,
            null,
            Importance.LOW,
            "Client certificate chain as inline PEM text (with `registry.ssl.keystore.key`).")
        .define(
            KEYSTORE_KEY,
            Type.PASSWORD,
            null,
            Importance.LOW,
            "Client private key as inline PKCS#8 PEM text (`BEGIN PRIVATE KEY`, or `BEGIN "
                + "ENCRYPTED PRIVATE KEY` with `registry.ssl.key.password`).")
        .define(
            KEY_PASSWORD,
            Type.PASSWORD,
            null,
            Importance.LOW,
            "Password of the private key: of the key entry in a JKS/PKCS12 key store (default: "
                + "the key store's password), or of an encrypted PEM key.");
  }

  private static final ConfigDef.Validator URL_VALIDATOR =
      new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
          if (value == null) {
            return;
          }
          URI uri;
          try {
            uri = parseUrl(value.toString());
          } catch (ConfigException e) {
            throw new ConfigException(name, value, "not a URL");
          }
          String scheme = uri.getScheme();
          if (scheme == null
              || !(scheme.equals("http") || scheme.equals("https"))
              || uri.getHost() == null) {
            throw new ConfigException(
                name, value, "must be an http:// or https:// URL with a host");
          }
        }

        @Override
        public String toString() {
          return "http:// or https:// URL";
        }
      };

  private static final ConfigDef.Validator STORE_TYPES =
      ConfigDef.CaseInsensitiveValidString.in("PKCS12", "JKS", RegistryTls.PEM);

  private static URI parseUrl(String url) {
    String trimmed = url.strip();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    try {
      return URI.create(trimmed);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(URL, url, "not a URL: " + e.getMessage());
    }
  }

  private static void requirePositive(String key, Duration d) {
    Objects.requireNonNull(d, key);
    if (d.isNegative() || d.isZero()) {
      throw new ConfigException(key, d, "must be > 0");
    }
  }
}
