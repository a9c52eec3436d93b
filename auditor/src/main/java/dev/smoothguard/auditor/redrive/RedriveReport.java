package dev.smoothguard.auditor.redrive;

import dev.smoothguard.schemas.v1.FailureReason;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Counts of one redrive: per failure reason, per decision; plus the dead letters that could not be
 * read (not an AuditFailure). {@code dryRun}: SENT means "would be sent".
 */
public final class RedriveReport {
  private final Map<FailureReason, Map<Decision, Long>> counts = new EnumMap<>(FailureReason.class);
  private long unreadable;
  private final boolean dryRun;

  RedriveReport(boolean dryRun) {
    this.dryRun = dryRun;
  }

  void record(FailureReason reason, Decision decision) {
    counts
        .computeIfAbsent(reason, r -> new EnumMap<>(Decision.class))
        .merge(decision, 1L, Long::sum);
  }

  void unreadable() {
    unreadable++;
  }

  public long count(FailureReason reason, Decision decision) {
    return counts.getOrDefault(reason, Map.of()).getOrDefault(decision, 0L);
  }

  public long total(Decision decision) {
    return counts.values().stream().mapToLong(m -> m.getOrDefault(decision, 0L)).sum();
  }

  public long unreadableCount() {
    return unreadable;
  }

  public boolean dryRun() {
    return dryRun;
  }

  /** A table: one line per reason seen, a column per decision, then the totals. */
  public void print(PrintStream out) {
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-22s", "reason"));
    for (Decision d : Decision.values()) {
      header.append(
          String.format(
              Locale.ROOT, "  %s", d == Decision.SENT && dryRun ? "would send" : d.label()));
    }
    out.println(header);
    counts.forEach(
        (reason, byDecision) -> {
          StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-22s", reason));
          for (Decision d : Decision.values()) {
            int width = (d == Decision.SENT && dryRun ? "would send" : d.label()).length();
            line.append(
                String.format(Locale.ROOT, "  %" + width + "d", byDecision.getOrDefault(d, 0L)));
          }
          out.println(line);
        });
    long skipped = 0;
    for (Decision d : Decision.values()) {
      if (d != Decision.SENT) skipped += total(d);
    }
    out.printf(
        Locale.ROOT,
        "%s %d, skipped %d, unreadable %d%n",
        dryRun ? "would send" : "sent",
        total(Decision.SENT),
        skipped,
        unreadable);
  }
}
