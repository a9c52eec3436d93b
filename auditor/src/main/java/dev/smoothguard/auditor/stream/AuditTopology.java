package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.config.Topics;
import dev.smoothguard.auditor.ops.AuditorMetrics;
import dev.smoothguard.auditor.ops.SystemHealth;
import dev.smoothguard.auditor.summary.SummaryKey;
import dev.smoothguard.auditor.summary.SummaryProcessor;
import dev.smoothguard.auditor.summary.SummaryState;
import dev.smoothguard.auditor.summary.WindowStats;
import dev.smoothguard.auditor.summary.WindowStatsSerde;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.ModelRef;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/** The auditor's Kafka Streams topology. */
public final class AuditTopology {
  private AuditTopology() {}

  /**
   * images (raw bytes) -> audit (deserialize, decode, certify) -> certified-predictions keyed by
   * image id, or audit-dlq (AuditFailure, keyed by the original key); certified predictions ->
   * tumbling event-time windows per summary key (model sha256 + settings) -> robustness-summary
   * once a window closes (stream time or idle wall-clock time).
   *
   * <p>The input is read as bytes so that a record that does not deserialize still reaches the
   * dead-letter topic with its original bytes as an AuditFailure.
   */
  public static Topology build(
      Topics topics,
      Duration window,
      Duration grace,
      List<Double> radii,
      ImageCertifier certifier,
      AuditSerdes serdes,
      AuditorMetrics metrics) {
    return build(
        topics,
        window,
        grace,
        radii,
        new Parts(
            certifier,
            serdes,
            metrics,
            new SystemHealth(),
            StreamSettings.DEFAULTS,
            new DeadLetterFit(DeadLetterFit.DEFAULT_MAX_REQUEST_SIZE),
            RegistryProbe.NONE));
  }

  /** What the topology's processors share: the model, the serdes, metrics, health, settings. */
  public record Parts(
      ImageCertifier certifier,
      AuditSerdes serdes,
      AuditorMetrics metrics,
      SystemHealth health,
      StreamSettings settings,
      DeadLetterFit fit,
      RegistryProbe registryProbe) {}

  public static Topology build(
      Topics topics, Duration window, Duration grace, List<Double> radii, Parts parts) {
    StreamsBuilder builder = new StreamsBuilder();
    AuditSerdes serdes = parts.serdes();
    AuditorMetrics metrics = parts.metrics();
    EngineErrorStreak streak = new EngineErrorStreak(); // one per engine, shared by the tasks

    KStream<byte[], Outcome> outcomes =
        builder.stream(
                topics.images(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("images"))
            .processValues(
                () ->
                    new AuditProcessor(
                        serdes.images(),
                        parts.certifier(),
                        metrics,
                        parts.health(),
                        parts.settings(),
                        parts.fit(),
                        parts.registryProbe(),
                        streak),
                Named.as("audit"));

    outcomes
        .split(Named.as("outcome-"))
        .branch(
            (key, o) -> o instanceof Outcome.Failed,
            Branched.withConsumer(
                failed ->
                    failed
                        .mapValues(o -> ((Outcome.Failed) o).failure(), Named.as("failure"))
                        .to(
                            topics.dlq(),
                            Produced.with(Serdes.ByteArray(), serdes.failures()).withName("dlq"))))
        .defaultBranch(
            Branched.withConsumer(
                certified -> {
                  KStream<String, CertifiedPrediction> predictions =
                      certified.map(
                          (key, o) -> {
                            CertifiedPrediction p = ((Outcome.Certified) o).prediction();
                            return KeyValue.pair(p.getImageId(), p);
                          },
                          Named.as("by-image-id"));
                  predictions.to(
                      topics.predictions(),
                      Produced.with(Serdes.String(), serdes.predictions()).withName("predictions"));
                  summarise(builder, predictions, topics, window, grace, radii, parts);
                }));
    return builder.build();
  }

  /**
   * Per summary key (model sha256 + sigma, n, alpha, mode), per tumbling event-time window: counts,
   * certified accuracy at the configured radii, radius quantiles; see {@link SummaryProcessor} for
   * when windows close and what is late.
   */
  private static void summarise(
      StreamsBuilder builder,
      KStream<String, CertifiedPrediction> predictions,
      Topics topics,
      Duration window,
      Duration grace,
      List<Double> radii,
      Parts parts) {
    WindowStatsSerde statsSerde = new WindowStatsSerde();
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(SummaryProcessor.STORE),
            Serdes.String(),
            new SummaryState.StateSerde()));
    StreamSettings settings = parts.settings();
    predictions
        // one image as a one-image window, so the repartition topic needs no registry
        .map(
            (id, p) -> KeyValue.pair(SummaryKey.of(p).toString(), observation(p, radii)),
            Named.as("observation"))
        .repartition(Repartitioned.with(Serdes.String(), statsSerde).withName("by-summary-key"))
        .process(
            () ->
                new SummaryProcessor(
                    window,
                    grace,
                    settings.summaryIdleClose(),
                    settings.summaryIdleCheck(),
                    radii,
                    parts.metrics()),
            Named.as("window-summary"),
            SummaryProcessor.STORE)
        .to(
            topics.summary(),
            Produced.with(Serdes.String(), parts.serdes().summaries()).withName("summaries"));
  }

  static WindowStats observation(CertifiedPrediction p, List<Double> radii) {
    ModelRef m = p.getModel();
    boolean labelled = p.getLabel() != null;
    return WindowStats.empty(radii, p.getSigma())
        .plus(
            m.getName(),
            m.getVersion(),
            m.getSha256(),
            p.getAbstained(),
            p.getRadius(),
            labelled,
            Boolean.TRUE.equals(p.getCorrect()),
            p.getSamplesUsed());
  }
}
