package dev.smoothguard.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smoothguard.schemas.serde.IncompatibleSchemaException;
import dev.smoothguard.schemas.serde.RegistryAccessDeniedException;
import dev.smoothguard.schemas.serde.RegistryResponseException;
import dev.smoothguard.schemas.serde.RegistryUnavailableException;
import dev.smoothguard.schemas.serde.SchemaNotRegisteredException;
import dev.smoothguard.schemas.serde.SerdeException;
import dev.smoothguard.schemas.serde.UnknownSchemaIdException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Confluent schema-registry REST API over {@code java.net.http}: registers or looks
 * up Avro schemas under a subject, fetches writer schemas by id, and sets compatibility levels.
 * Answers are cached both ways (subject+schema to id, id to schema), so after warm-up a serde makes
 * no HTTP calls. Thread-safe; share one instance among all serdes of a process.
 *
 * <p>Transient failures (connection errors, timeouts, HTTP 5xx and 429) are retried {@link
 * RegistryConfig#retries()} times with exponential backoff, then end in a {@link
 * RegistryUnavailableException}. Every error is a {@link SerdeException}.
 */
public final class RegistryClient {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryClient.class);
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryConfig config;
  private final HttpClient http;
  private final String base;
  private final Optional<String> authorization;
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, Schema schema) {}

  public RegistryClient(RegistryConfig config) {
    this.config = config;
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout())
            .followRedirects(HttpClient.Redirect.NORMAL);
    config.sslContext().ifPresent(builder::sslContext);
    this.http = builder.build();
    this.base = config.url().toString();
    this.authorization =
        config
            .auth()
            .map(
                a ->
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString(
                                (a.user() + ":" + a.password()).getBytes(StandardCharsets.UTF_8)));
  }

  public RegistryConfig config() {
    return config;
  }

  /**
   * The id of {@code schema} under {@code subject}: registered when the config says auto-register,
   * else looked up. Cached.
   *
   * @param topic the topic being written, only to name it in errors (may be null)
   */
  public int idFor(String subject, Schema schema, String topic) {
    return config.autoRegister()
        ? register(subject, schema, topic)
        : lookup(subject, schema, topic);
  }

  /**
   * Registers {@code schema} under {@code subject} (a no-op returning the existing id when it is
   * already there). POST {@code /subjects/{subject}/versions}.
   *
   * @throws IncompatibleSchemaException when the subject's compatibility rule rejects it (409)
   */
  public int register(String subject, Schema schema, String topic) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    String what = "registering " + schema.getFullName() + " under subject '" + subject + "'";
    Response r =
        send(
            "POST",
            "/subjects/" + encode(subject) + "/versions",
            schemaBody(schema),
            what,
            topic,
            subject,
            null);
    if (r.status() == 409) {
      throw new IncompatibleSchemaException(
          subject, schema.getFullName(), r.errorCode(), r.message(), topic);
    }
    if (r.status() != 200) {
      throw r.error(base, what, topic, subject, null);
    }
    int id = r.intField("id", what, topic, subject);
    remember(key, id);
    LOG.debug("registered {} under {} as id {}", schema.getFullName(), subject, id);
    return id;
  }

  /**
   * The id of {@code schema} under {@code subject} without registering it. POST {@code
   * /subjects/{subject}}.
   *
   * @throws SchemaNotRegisteredException when the subject or the schema is not there
   */
  public int lookup(String subject, Schema schema, String topic) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    String what = "looking up " + schema.getFullName() + " under subject '" + subject + "'";
    Response r =
        send(
            "POST", "/subjects/" + encode(subject), schemaBody(schema), what, topic, subject, null);
    if (r.status() == 404 && r.isRegistryNotFound()) {
      throw new SchemaNotRegisteredException(subject, schema.getFullName(), topic, r.message());
    }
    if (r.status() != 200) {
      throw r.error(base, what, topic, subject, null);
    }
    int id = r.intField("id", what, topic, subject);
    remember(key, id);
    return id;
  }

  /**
   * The schema registered with {@code id}. GET {@code /schemas/ids/{id}}. Cached forever (ids are
   * immutable).
   *
   * @param topic the topic being read, only to name it in errors (may be null)
   * @throws UnknownSchemaIdException when the registry does not know the id
   */
  public Schema schemaById(int id, String topic) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    String what = "fetching schema id " + id;
    Response r = send("GET", "/schemas/ids/" + id, null, what, topic, null, id);
    if (r.status() == 404 && r.isRegistryNotFound()) {
      throw new UnknownSchemaIdException(id, topic, r.message());
    }
    if (r.status() != 200) {
      throw r.error(base, what, topic, null, id);
    }
    JsonNode type = r.body().path("schemaType");
    if (!type.isMissingNode() && !type.isNull() && !type.asText().equalsIgnoreCase("AVRO")) {
      throw new RegistryResponseException(
          what + ": it is a " + type.asText() + " schema, not Avro",
          r.status(),
          null,
          null,
          topic,
          null,
          id);
    }
    String text = r.body().path("schema").asText(null);
    if (text == null) {
      throw new RegistryResponseException(
          what + ": the answer has no 'schema' field", r.status(), null, r.raw(), topic, null, id);
    }
    Schema schema;
    try {
      schema = new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw new RegistryResponseException(
          what + ": not a valid Avro schema (" + e.getMessage() + ")",
          r.status(),
          null,
          null,
          topic,
          null,
          id);
    }
    Schema previous = schemasById.putIfAbsent(id, schema);
    return previous == null ? schema : previous;
  }

  /** Sets the compatibility level of a subject, or the global one when {@code subject} is null. */
  public void setCompatibility(String subject, Compatibility level) {
    ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
    String what =
        "setting compatibility "
            + level
            + (subject == null ? " globally" : " of subject '" + subject + "'");
    Response r = send("PUT", configPath(subject), body.toString(), what, null, subject, null);
    if (r.status() != 200) {
      throw r.error(base, what, null, subject, null);
    }
  }

  /**
   * The compatibility level of a subject (its own, else the global one), or the global one for
   * null.
   */
  public Compatibility compatibility(String subject) {
    String what =
        "reading compatibility" + (subject == null ? "" : " of subject '" + subject + "'");
    Response r = send("GET", configPath(subject), null, what, null, subject, null);
    if (r.status() == 404 && subject != null) {
      return compatibility(null);
    }
    if (r.status() != 200) {
      throw r.error(base, what, null, subject, null);
    }
    String level =
        r.body().path("compatibilityLevel").asText(r.body().path("compatibility").asText(""));
    try {
      return Compatibility.valueOf(level);
    } catch (IllegalArgumentException e) {
      throw new RegistryResponseException(
          what + ": unknown level '" + level + "'", r.status(), null, null, null, subject, null);
    }
  }

  private static String configPath(String subject) {
    return subject == null ? "/config" : "/config/" + encode(subject);
  }

  private void remember(SubjectSchema key, int id) {
    idsBySubjectSchema.putIfAbsent(key, id);
    schemasById.putIfAbsent(id, key.schema());
  }

  private static String schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString()).toString();
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** One HTTP exchange with bounded retries; returns any HTTP answer that is not transient. */
  private Response send(
      String method,
      String path,
      String body,
      String what,
      String topic,
      String subject,
      Integer schemaId) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(config.requestTimeout())
            .header("Accept", ACCEPT)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null) {
      builder.header("Content-Type", CONTENT_TYPE);
    }
    authorization.ifPresent(a -> builder.header("Authorization", a));
    HttpRequest request = builder.build();

    int attempts = config.retries() + 1;
    Duration backoff = config.retryBackoff();
    Exception last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        HttpResponse<String> response =
            http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        int status = response.statusCode();
        if (status < 500 && status != 429) {
          return Response.of(status, response.body());
        }
        last =
            new IOException(
                "HTTP " + status + " " + Response.of(status, response.body()).message());
      } catch (IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryUnavailableException(
            base, what + " (interrupted)", attempt, topic, subject, schemaId, e);
      }
      if (attempt < attempts) {
        LOG.debug(
            "registry {} failed while {} (attempt {}/{}): {}; retrying in {} ms",
            base,
            what,
            attempt,
            attempts,
            last.toString(),
            backoff.toMillis());
        if (!sleep(jitter(backoff))) {
          throw new RegistryUnavailableException(
              base, what + " (interrupted)", attempt, topic, subject, schemaId, last);
        }
        backoff = backoff.multipliedBy(2);
        if (backoff.compareTo(config.retryBackoffMax()) > 0) {
          backoff = config.retryBackoffMax();
        }
      }
    }
    throw new RegistryUnavailableException(base, what, attempts, topic, subject, schemaId, last);
  }

  /** Up to 20% less than the backoff, so that many clients do not retry in lockstep. */
  private static Duration jitter(Duration backoff) {
    long ms = backoff.toMillis();
    return Duration.ofMillis(ms - ThreadLocalRandom.current().nextLong(ms / 5 + 1));
  }

  private static boolean sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A non-transient HTTP answer with its JSON body, when it has one. */
  private record Response(int status, String raw, JsonNode body) {
    static Response of(int status, String raw) {
      JsonNode body;
      try {
        body = raw == null || raw.isBlank() ? JSON.createObjectNode() : JSON.readTree(raw);
      } catch (IOException e) {
        body = JSON.createObjectNode();
      }
      return new Response(status, raw, body);
    }

    Integer errorCode() {
      JsonNode code = body.get("error_code");
      return code != null && code.canConvertToInt() ? code.intValue() : null;
    }

    /** The registry's message, else the start of the raw body. */
    String message() {
      JsonNode m = body.get("message");
      if (m != null && m.isTextual()) {
        return m.asText();
      }
      if (raw == null) {
        return "";
      }
      String s = raw.strip();
      return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    int intField(String name, String what, String topic, String subject) {
      JsonNode v = body.get(name);
      if (v == null || !v.canConvertToInt()) {
        throw new RegistryResponseException(
            what + ": the answer has no integer '" + name + "'",
            status,
            null,
            message(),
            topic,
            subject,
            null);
      }
      return v.intValue();
    }

    /**
     * A 404 the registry API itself gives (Confluent error codes 404xx: subject, version or schema
     * not found), as opposed to a 404 of a URL that leads to no registry API.
     */
    boolean isRegistryNotFound() {
      Integer code = errorCode();
      return code != null && code / 100 == 404;
    }

    /** The error for an answer the caller did not expect; 401/403 get their own type. */
    RegistryResponseException error(
        String url, String what, String topic, String subject, Integer schemaId) {
      if (status == 401 || status == 403) {
        return new RegistryAccessDeniedException(
            url, what, status, errorCode(), message(), topic, subject, schemaId);
      }
      return new RegistryResponseException(
          what, status, errorCode(), message(), topic, subject, schemaId);
    }
  }
}
