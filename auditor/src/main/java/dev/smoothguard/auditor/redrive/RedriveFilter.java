package dev.smoothguard.auditor.redrive;

import dev.smoothguard.schemas.v1.FailureReason;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Which dead letters to redrive: their reasons (empty = every reason) and the time they failed
 * ({@code AuditFailure.time}), from inclusive, to exclusive.
 */
public record RedriveFilter(
    Set<FailureReason> reasons, Optional<Instant> from, Optional<Instant> to) {
  public RedriveFilter {
    reasons = Set.copyOf(reasons);
    if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
      throw new IllegalArgumentException(
          "the time range is empty: --from " + from.get() + " is not before --to " + to.get());
    }
  }

  public static RedriveFilter all() {
    return new RedriveFilter(Set.of(), Optional.empty(), Optional.empty());
  }

  boolean reasonMatches(FailureReason reason) {
    return reasons.isEmpty() || reasons.contains(reason);
  }

  boolean timeMatches(Instant time) {
    return from.map(f -> !time.isBefore(f)).orElse(true) && to.map(time::isBefore).orElse(true);
  }
}
