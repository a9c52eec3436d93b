package dev.smoothguard.schemas.serde;

import dev.smoothguard.schemas.v1.FailureReason;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Base of every error of the Avro serde and the registry client. It extends Kafka's {@link
 * SerializationException}, so Kafka Streams' deserialization and production handlers see it as what
 * it is; {@link #reason()} says in machine-readable form what went wrong and {@link
 * #failureReason()} maps it to the dead-letter reason code.
 */
public class SerdeException extends SerializationException {

  /** What went wrong, for code that routes records (one value per subclass). */
  public enum Reason {
    /** the registry did not answer (connection refused, timeout, 5xx) after all retries */
    REGISTRY_UNAVAILABLE,
    /** the registry answered with an error not covered by a more specific reason (401, 422...) */
    REGISTRY_ERROR,
    /** the registry rejected a schema as incompatible with the subject's history (HTTP 409) */
    INCOMPATIBLE_SCHEMA,
    /** auto-register is off and the schema is not registered under the subject */
    SCHEMA_NOT_REGISTERED,
    /** the payload names a schema id the registry does not know */
    UNKNOWN_SCHEMA_ID,
    /** the payload does not start with the Confluent magic byte 0 */
    UNKNOWN_MAGIC_BYTE,
    /** the payload ends before its header or its Avro body is complete */
    TRUNCATED_PAYLOAD,
    /** the Avro body does not decode with its writer schema (corrupt, or trailing bytes) */
    MALFORMED_PAYLOAD,
    /** the writer schema cannot be resolved to the reader schema */
    SCHEMA_MISMATCH,
    /** the object to serialize cannot be written with its schema */
    UNSERIALIZABLE_VALUE
  }

  private final Reason reason;
  private final String topic;
  private final String subject;
  private final Integer schemaId;

  protected SerdeException(
      Reason reason,
      String message,
      String topic,
      String subject,
      Integer schemaId,
      Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.topic = topic;
    this.subject = subject;
    this.schemaId = schemaId;
  }

  public Reason reason() {
    return reason;
  }

  /** The topic of the record, when the error happened while (de)serializing one. */
  public Optional<String> topic() {
    return Optional.ofNullable(topic);
  }

  /** The registry subject involved, e.g. {@code images-value}. */
  public Optional<String> subject() {
    return Optional.ofNullable(subject);
  }

  /** The schema id involved. */
  public OptionalInt schemaId() {
    return schemaId == null ? OptionalInt.empty() : OptionalInt.of(schemaId);
  }

  /** True when retrying later may succeed (the registry was down), false for bad data. */
  public boolean isTransient() {
    return reason == Reason.REGISTRY_UNAVAILABLE;
  }

  /**
   * True when the record is not to blame: the registry is unreachable, refuses the client (401,
   * 403), or the URL leads to no registry API (an unexpected 404, any other refusal). The same
   * record succeeds once the system is fixed, so it must not be dead-lettered: the stream should
   * pause and retry instead. False for faults of the bytes (magic byte, truncation, corrupt body,
   * unknown schema id, schema mismatch) and of the value written.
   */
  public boolean isSystemFault() {
    return reason == Reason.REGISTRY_UNAVAILABLE || reason == Reason.REGISTRY_ERROR;
  }

  /** The dead-letter reason code ({@code AuditFailure.reason}) for a record that failed so. */
  public FailureReason failureReason() {
    return switch (reason) {
      case REGISTRY_UNAVAILABLE, REGISTRY_ERROR -> FailureReason.REGISTRY_UNAVAILABLE;
      case UNKNOWN_SCHEMA_ID -> FailureReason.UNKNOWN_SCHEMA;
      case UNKNOWN_MAGIC_BYTE, TRUNCATED_PAYLOAD, MALFORMED_PAYLOAD, SCHEMA_MISMATCH ->
          FailureReason.UNDECODABLE_RECORD;
      case INCOMPATIBLE_SCHEMA, SCHEMA_NOT_REGISTERED, UNSERIALIZABLE_VALUE ->
          FailureReason.PRODUCTION_ERROR;
    };
  }

  /** " in topic 'x'" or nothing, for messages. */
  static String inTopic(String topic) {
    return topic == null ? "" : " in topic '" + topic + "'";
  }
}
