package dev.smoothguard.auditor.ops;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the operator must see that the stream state alone does not say: whether processing is paused
 * on a fault of the system (and why, since when, how many retries), and warnings about
 * configurations that cannot hold (a transaction budget too small for the work). Read by {@code
 * /ready} and by the metrics; written by the stream threads. Thread-safe.
 */
public final class SystemHealth {
  /** The parts of the system a fault can be blamed on: the label values of the pause metrics. */
  public enum Component {
    REGISTRY,
    ENGINE,
    KAFKA,
    UNKNOWN
  }

  /** One pause: the component, the one-line reason, when it began, the retries so far. */
  public record Pause(Component component, String reason, Instant since, int attempts) {}

  private final AtomicReference<Pause> pause = new AtomicReference<>();
  private final AtomicInteger attempts = new AtomicInteger();
  private final Map<String, String> warnings = new ConcurrentHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /** Records a system fault; returns the retry number (1 for the first fault of a pause). */
  public int fault(Component component, String reason) {
    int attempt = attempts.incrementAndGet();
    pause.updateAndGet(
        p -> new Pause(component, reason, p == null ? Instant.now() : p.since(), attempt));
    listeners.forEach(Runnable::run);
    return attempt;
  }

  /** Work went through again: the pause is over. */
  public void resumed() {
    if (pause.get() == null) return;
    attempts.set(0);
    pause.set(null);
  }

  public Optional<Pause> pause() {
    return Optional.ofNullable(pause.get());
  }

  public boolean paused() {
    return pause.get() != null;
  }

  /** A configuration problem that does not stop the service but that the operator must fix. */
  public void warn(String topic, String message) {
    warnings.put(topic, message);
  }

  public void clearWarning(String topic) {
    warnings.remove(topic);
  }

  public Map<String, String> warnings() {
    return Map.copyOf(warnings);
  }

  /** Called after every fault (metrics). */
  public void onFault(Runnable listener) {
    listeners.add(listener);
  }

  /** The text of {@code /ready} below the stream state line. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    Pause p = pause.get();
    if (p != null) {
      String component = p.component().name().toLowerCase(Locale.ROOT);
      b.append("PAUSED on ")
          .append("aeiou".indexOf(component.charAt(0)) >= 0 ? "an " : "a ")
          .append(component)
          .append(" fault since ")
          .append(p.since())
          .append(" (retry ")
          .append(p.attempts())
          .append("): ")
          .append(p.reason())
          .append('\n');
    }
    warnings.forEach((k, v) -> b.append("WARNING ").append(k).append(": ").append(v).append('\n'));
    return b.toString();
  }
}
