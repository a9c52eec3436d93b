package dev.smoothguard.auditor.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sizes exactly-once to the work. The audit step asks for a commit after every certification
 * ({@code context.commit()}); Kafka Streams processes one record per task per loop and commits at
 * the end of the loop, so one transaction holds at most one certification per task the thread owns.
 * A thread may own every input partition (the other instances are down), so the longest transaction
 * is {@code partitions x certification latency}, and the same bound is one loop between two polls.
 *
 * <p>The plan sets {@code producer.transaction.timeout.ms} to {@link #SAFETY} times that plus
 * {@link #SLACK}, at least Streams' own default (10 s), at most the broker's {@code
 * transaction.max.timeout.ms} (default 15 min); a value the user set is kept and only checked. When
 * the bound cannot be met (or max.poll.interval.ms is too short for one loop) the plan says so: the
 * service logs it and shows it on {@code /ready}.
 *
 * @param transactionTimeoutMs the producer's transaction timeout to use
 * @param userSet whether the user configured it (then it is only checked)
 * @param worstTransactionMs the longest transaction the work can need
 * @param problems what cannot hold, one line each (empty when everything fits)
 */
public record TransactionBudget(
    long transactionTimeoutMs, boolean userSet, long worstTransactionMs, List<String> problems) {

  public static final double SAFETY = 2.0;
  public static final long SLACK_MS = 10_000;

  /** Kafka Streams' transaction timeout under exactly-once when nobody sets one. */
  public static final long STREAMS_DEFAULT_MS = 10_000;

  /** The broker's default transaction.max.timeout.ms. */
  public static final long BROKER_DEFAULT_MAX_MS = 900_000;

  /**
   * The configured transaction timeout, if any (Streams takes it with or without the producer.
   * prefix).
   */
  static Optional<Long> configured(Map<String, String> kafka) {
    String v =
        kafka.getOrDefault("producer.transaction.timeout.ms", kafka.get("transaction.timeout.ms"));
    return v == null ? Optional.empty() : Optional.of(Long.parseLong(v.trim()));
  }

  /**
   * @param certifyMs one certification, measured (already scaled for threads sharing the cores)
   * @param tasksPerThread the most tasks one thread may own (the input's partitions)
   * @param kafka the Kafka settings (user's transaction timeout, max.poll.interval.ms)
   * @param brokerMaxMs the broker's transaction.max.timeout.ms
   */
  public static TransactionBudget plan(
      double certifyMs, int tasksPerThread, Map<String, String> kafka, long brokerMaxMs) {
    long worst = (long) Math.ceil(certifyMs * tasksPerThread);
    long needed = (long) Math.ceil(worst * SAFETY) + SLACK_MS;
    List<String> problems = new ArrayList<>();
    Optional<Long> user = configured(kafka);
    long timeout;
    if (user.isPresent()) {
      timeout = user.get();
      if (timeout < needed) {
        problems.add(
            "transaction.timeout.ms="
                + timeout
                + " is shorter than the "
                + needed
                + " ms that "
                + tasksPerThread
                + " tasks x "
                + Math.round(certifyMs)
                + " ms per certification need (x"
                + SAFETY
                + " + "
                + SLACK_MS
                + " ms): transactions will abort and work will be redone");
      }
    } else {
      timeout = Math.max(STREAMS_DEFAULT_MS, needed);
      if (timeout > brokerMaxMs) {
        problems.add(
            "one transaction may need "
                + needed
                + " ms ("
                + tasksPerThread
                + " tasks x "
                + Math.round(certifyMs)
                + " ms per certification, x"
                + SAFETY
                + " + "
                + SLACK_MS
                + " ms) but the broker allows at most transaction.max.timeout.ms="
                + brokerMaxMs
                + ": run more stream threads or instances, or certify with fewer samples");
        timeout = brokerMaxMs;
      }
    }
    if (timeout > brokerMaxMs && user.isPresent()) {
      problems.add(
          "transaction.timeout.ms="
              + timeout
              + " exceeds the broker's transaction.max.timeout.ms="
              + brokerMaxMs
              + ": the producer will be refused");
    }
    String poll = kafka.get("max.poll.interval.ms");
    if (poll != null && Long.parseLong(poll) < worst * SAFETY) {
      problems.add(
          "max.poll.interval.ms="
              + poll
              + " is shorter than "
              + Math.round(worst * SAFETY)
              + " ms (one loop over "
              + tasksPerThread
              + " tasks x "
              + Math.round(certifyMs)
              + " ms, x"
              + SAFETY
              + "): the consumer would leave the group mid-loop");
    }
    return new TransactionBudget(timeout, user.isPresent(), worst, List.copyOf(problems));
  }

  /**
   * The check at run time, with the observed worst certification and the tasks a thread owns now:
   * empty when the transaction timeout holds.
   */
  public Optional<String> check(double observedCertifyMs, int tasksNow) {
    long need = (long) Math.ceil(observedCertifyMs * tasksNow);
    if (need * SAFETY <= transactionTimeoutMs) return Optional.empty();
    return Optional.of(
        "a stream thread owns "
            + tasksNow
            + " tasks and certifications take up to "
            + Math.round(observedCertifyMs)
            + " ms: a transaction may last "
            + need
            + " ms, too close to"
            + " transaction.timeout.ms="
            + transactionTimeoutMs
            + " (x"
            + SAFETY
            + " headroom)");
  }
}
