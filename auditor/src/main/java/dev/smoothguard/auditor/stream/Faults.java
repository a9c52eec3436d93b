package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.ops.SystemHealth.Component;
import dev.smoothguard.schemas.serde.IncompatibleSchemaException;
import dev.smoothguard.schemas.serde.RegistryResponseException;
import dev.smoothguard.schemas.serde.SerdeException;
import dev.smoothguard.schemas.serde.UnknownSchemaIdException;
import java.util.Optional;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.StreamsException;

/**
 * Tells a fault of the system from a fault of the record. A record fault has an answer that depends
 * on the record (its bytes, its schema id, its image); a system fault would hit any record (the
 * registry answering 401/403/5xx or at a wrong path, a broken engine, Kafka refusing the auditor's
 * own writes).
 */
public final class Faults {
  private Faults() {}

  /** The component to blame when the exception (or one of its causes) is a system fault. */
  public static Optional<Component> systemComponent(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SystemFaultException s) return Optional.of(s.component());
      if (t instanceof SerdeException s && isRegistryFault(s))
        return Optional.of(Component.REGISTRY);
      if (t instanceof AuthenticationException
          || t instanceof AuthorizationException
          || t instanceof RetriableException) {
        return Optional.of(Component.KAFKA);
      }
      // a Kafka client error inside processing (a send refused, a producer in an error state):
      // the machinery failed, not the record; SerializationException (our serde) and Streams'
      // own wrappers are looked through
      if (t instanceof KafkaException
          && !(t instanceof SerializationException)
          && !(t instanceof StreamsException)) {
        return Optional.of(Component.KAFKA);
      }
    }
    return Optional.empty();
  }

  /**
   * The registry, not the record, failed: unreachable, or an HTTP error answer (401, 403, 404 at a
   * wrong base path, 422...). A registry that answered 200 with something unusable for this record
   * (a Protobuf schema under the record's id) and a 409 on a result's schema are the record's
   * fault, as is an unknown schema id (but see {@link RegistryProbe}: a 404 for every id means a
   * wrong URL, which the probe tells apart).
   */
  static boolean isRegistryFault(SerdeException e) {
    if (e.isTransient()) return true;
    if (e instanceof UnknownSchemaIdException || e instanceof IncompatibleSchemaException)
      return false;
    return e instanceof RegistryResponseException r && r.status() != 200;
  }

  /** One line for logs and /ready. */
  static String describe(Throwable e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    return m.replace('\n', ' ').replace('\r', ' ');
  }
}
