package dev.smoothguard.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * How to reach a schema registry that speaks the Confluent REST API (Confluent, Apicurio's
 * {@code /apis/ccompat/v7}, Redpanda, Karapace). Built once, validated, immutable.
 *
 * <p>From properties with {@link #fromProperties(Map)} (keys {@code registry.*}, see the README),
 * or in code with {@link #of(String)} and the {@code with...} methods.
 *
 * @param url base URL of the Confluent-compatible API, e.g. {@code http://localhost:8081} or
 *     {@code http://host:8080/apis/ccompat/v7}
 * @param auth HTTP basic auth, when the registry needs it
 * @param sslContext TLS context for {@code https} URLs; empty means the JVM's default trust
 * @param connectTimeout TCP/TLS connect timeout per attempt
 * @param requestTimeout timeout of one HTTP request (response included) per attempt
 * @param retries how many times a failed request is retried (connection error, timeout, 5xx,
 *     429); 0 = one attempt only
 * @param retryBackoff wait before the first retry; doubled after each retry
 * @param retryBackoffMax upper bound of the wait between retries
 * @param autoRegister serializers register their schema under the subject (true) or only look
 *     it up and fail when it is missing (false)
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
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
      throw new ConfigException(URL, url.toString(), "must be an http:// or https:// URL with a host");
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

  /** Defaults for everything but the URL: no auth, JVM TLS trust, 5 s / 10 s, 3 retries, auto-register. */
  public static RegistryConfig of(String url) {
    return new RegistryConfig(parseUrl(url), Optional.empty(), Optional.empty(),
        DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RETRIES,
        DEFAULT_RETRY_BACKOFF, DEFAULT_RETRY_BACKOFF_MAX, true);
  }

  public RegistryConfig withAuth(String user, String password) {
    return new RegistryConfig(url, Optional.of(new BasicAuth(user, password)), sslContext,
        connectTimeout, requestTimeout, retries, retryBackoff, retryBackoffMax, autoRegister);
  }

  public RegistryConfig withSslContext(SSLContext context) {
    return new RegistryConfig(url, auth, Optional.of(context), connectTimeout, requestTimeout,
        retries, retryBackoff, retryBackoffMax, autoRegister);
  }

  public RegistryConfig withTimeouts(Duration connect, Duration request) {
    return new RegistryConfig(url, auth, sslContext, connect, request, retries, retryBackoff,
        retryBackoffMax, autoRegister);
  }

  public RegistryConfig withRetries(int count, Duration backoff, Duration backoffMax) {
    return new RegistryConfig(url, auth, sslContext, connectTimeout, requestTimeout, count,
        backoff, backoffMax, autoRegister);
  }

  public RegistryConfig withAutoRegister(boolean on) {
    return new RegistryConfig(url, auth, sslContext, connectTimeout, requestTimeout, retries,
        retryBackoff, retryBackoffMax, on);
  }

  /**
   * Reads the {@code registry.*} keys (other keys are ignored). Values may be Strings (from a
   * properties file or the environment) or already typed (Boolean, Integer, Duration).
   * Durations are ISO-8601 ({@code PT10S}) or plain milliseconds ({@code 10000}).
   *
   * @throws ConfigException naming the key, for a missing URL or any bad value
   */
  public static RegistryConfig fromProperties(Map<String, ?> props) {
    String url = string(props, URL);
    if (url == null) {
      throw new ConfigException(URL + " is required: the schema registry's base URL (Confluent API), "
          + "e.g. http://localhost:8081 or http://host:8080/apis/ccompat/v7");
    }
    RegistryConfig config = new RegistryConfig(parseUrl(url), Optional.empty(), Optional.empty(),
        duration(props, CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT),
        duration(props, REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT),
        integer(props, RETRIES, DEFAULT_RETRIES),
        duration(props, RETRY_BACKOFF, DEFAULT_RETRY_BACKOFF),
        duration(props, RETRY_BACKOFF_MAX, DEFAULT_RETRY_BACKOFF_MAX),
        bool(props, AUTO_REGISTER, true));
    String user = string(props, AUTH_USER);
    String password = string(props, AUTH_PASSWORD);
    if (user != null) {
      if (password == null) {
        throw new ConfigException(AUTH_PASSWORD + " is required when " + AUTH_USER + " is set");
      }
      config = config.withAuth(user, password);
    } else if (password != null) {
      throw new ConfigException(AUTH_USER + " is required when " + AUTH_PASSWORD + " is set");
    }
    String truststore = string(props, TRUSTSTORE_LOCATION);
    String keystore = string(props, KEYSTORE_LOCATION);
    if (truststore != null || keystore != null) {
      config = config.withSslContext(sslContext(props, truststore, keystore));
    }
    return config;
  }

  private static SSLContext sslContext(Map<String, ?> props, String truststore, String keystore) {
    try {
      TrustManagerFactory tmf = null;
      if (truststore != null) {
        KeyStore trust = loadStore(TRUSTSTORE_LOCATION, truststore,
            stringOr(props, TRUSTSTORE_TYPE, DEFAULT_STORE_TYPE), string(props, TRUSTSTORE_PASSWORD));
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
      }
      KeyManagerFactory kmf = null;
      if (keystore != null) {
        String storePassword = string(props, KEYSTORE_PASSWORD);
        KeyStore keys = loadStore(KEYSTORE_LOCATION, keystore,
            stringOr(props, KEYSTORE_TYPE, DEFAULT_STORE_TYPE), storePassword);
        String keyPassword = stringOr(props, KEY_PASSWORD, storePassword);
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, keyPassword == null ? new char[0] : keyPassword.toCharArray());
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf == null ? null : kmf.getKeyManagers(),
          tmf == null ? null : tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new ConfigException("registry TLS settings are unusable: " + e.getMessage());
    }
  }

  private static KeyStore loadStore(String key, String location, String type, String password)
      throws GeneralSecurityException {
    Path path = Path.of(location);
    if (!Files.isRegularFile(path)) {
      throw new ConfigException(key, location, "no such file");
    }
    KeyStore store;
    try {
      store = KeyStore.getInstance(type);
    } catch (GeneralSecurityException e) {
      throw new ConfigException(key.replace("location", "type"), type, "unknown key store type");
    }
    try (InputStream in = Files.newInputStream(path)) {
      store.load(in, password == null ? null : password.toCharArray());
    } catch (IOException e) {
      throw new ConfigException(key, location,
          "cannot read the " + type + " store (wrong password or type?): " + e.getMessage());
    }
    return store;
  }

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

  private static String string(Map<String, ?> props, String key) {
    Object value = props.get(key);
    if (value == null) {
      return null;
    }
    String s = value.toString().strip();
    return s.isEmpty() ? null : s;
  }

  private static String stringOr(Map<String, ?> props, String key, String fallback) {
    String s = string(props, key);
    return s == null ? fallback : s;
  }

  private static boolean bool(Map<String, ?> props, String key, boolean fallback) {
    Object value = props.get(key);
    if (value instanceof Boolean b) {
      return b;
    }
    String s = string(props, key);
    if (s == null) {
      return fallback;
    }
    if (s.equalsIgnoreCase("true")) {
      return true;
    }
    if (s.equalsIgnoreCase("false")) {
      return false;
    }
    throw new ConfigException(key, s, "must be true or false");
  }

  private static int integer(Map<String, ?> props, String key, int fallback) {
    Object value = props.get(key);
    if (value instanceof Integer i) {
      return i;
    }
    String s = string(props, key);
    if (s == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, s, "must be an integer");
    }
  }

  private static Duration duration(Map<String, ?> props, String key, Duration fallback) {
    Object value = props.get(key);
    if (value instanceof Duration d) {
      return d;
    }
    String s = string(props, key);
    if (s == null) {
      return fallback;
    }
    try {
      return s.chars().allMatch(Character::isDigit) ? Duration.ofMillis(Long.parseLong(s)) : Duration.parse(s);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new ConfigException(key, s, "must be an ISO-8601 duration (e.g. PT10S) or milliseconds");
    }
  }

  private static void requirePositive(String key, Duration d) {
    Objects.requireNonNull(d, key);
    if (d.isNegative() || d.isZero()) {
      throw new ConfigException(key, d, "must be > 0");
    }
  }
}
