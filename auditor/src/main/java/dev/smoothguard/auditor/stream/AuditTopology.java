package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.config.Topics;
import dev.smoothguard.auditor.ops.AuditorMetrics;
import dev.smoothguard.auditor.ops.SystemHealth;
import dev.smoothguard.auditor.summary.WindowStats;
import dev.smoothguard.auditor.summary.WindowStatsSerde;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.ModelRef;
import dev.smoothguard.schemas.v1.RadiusAccuracy;
import dev.smoothguard.schemas.v1.RobustnessSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

/** The auditor's Kafka Streams topology. */
public final class AuditTopology {
  private AuditTopology() {}

  /**
   * images (raw bytes) -> audit (deserialize, decode, certify) -> certified-predictions keyed
   * by image id, or audit-dlq (AuditFailure, keyed by the original key); certified predictions
   * -> tumbling event-time windows per model -> robustness-summary once a window closes.
   *
   * <p>The input is read as bytes so that a record that does not deserialize still reaches the
   * dead-letter topic with its original bytes as an AuditFailure.
   */
  public static Topology build(Topics topics, Duration window, Duration grace, List<Double> radii,
      ImageCertifier certifier, AuditSerdes serdes, AuditorMetrics metrics) {
    return build(topics, window, grace, radii, new Parts(certifier, serdes, metrics, new SystemHealth(),
        StreamSettings.DEFAULTS, new DeadLetterFit(DeadLetterFit.DEFAULT_MAX_REQUEST_SIZE), RegistryProbe.NONE));
  }

  /** What the topology's processors share: the model, the serdes, metrics, health, settings. */
  public record Parts(ImageCertifier certifier, AuditSerdes serdes, AuditorMetrics metrics,
      SystemHealth health, StreamSettings settings, DeadLetterFit fit, RegistryProbe registryProbe) {}

  public static Topology build(Topics topics, Duration window, Duration grace, List<Double> radii, Parts parts) {
    StreamsBuilder builder = new StreamsBuilder();
    AuditSerdes serdes = parts.serdes();
    AuditorMetrics metrics = parts.metrics();
    EngineErrorStreak streak = new EngineErrorStreak(); // one per engine, shared by the tasks

    KStream<byte[], Outcome> outcomes = builder
        .stream(topics.images(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("images"))
        .processValues(() -> new AuditProcessor(serdes.images(), parts.certifier(), metrics, parts.health(),
            parts.settings(), parts.fit(), parts.registryProbe(), streak), Named.as("audit"));

    outcomes.split(Named.as("outcome-"))
        .branch((key, o) -> o instanceof Outcome.Failed, Branched.withConsumer(failed -> failed
            .mapValues(o -> ((Outcome.Failed) o).failure(), Named.as("failure"))
            .to(topics.dlq(), Produced.with(Serdes.ByteArray(), serdes.failures()).withName("dlq"))))
        .defaultBranch(Branched.withConsumer(certified -> {
          KStream<String, CertifiedPrediction> predictions = certified.map(
              (key, o) -> {
                CertifiedPrediction p = ((Outcome.Certified) o).prediction();
                return KeyValue.pair(p.getImageId(), p);
              }, Named.as("by-image-id"));
          predictions.to(topics.predictions(),
              Produced.with(Serdes.String(), serdes.predictions()).withName("predictions"));
          summarise(predictions, topics, window, grace, radii, serdes, metrics);
        }));
    return builder.build();
  }

  /** Per model, per tumbling window: counts, certified accuracy, radius quantiles. */
  private static void summarise(KStream<String, CertifiedPrediction> predictions, Topics topics,
      Duration window, Duration grace, List<Double> radii, AuditSerdes serdes, AuditorMetrics metrics) {
    WindowStatsSerde statsSerde = new WindowStatsSerde();
    predictions
        // one image as a one-image window, so the repartition topic needs no registry
        .map((id, p) -> KeyValue.pair(p.getModel().getName(), observation(p)), Named.as("observation"))
        .groupByKey(Grouped.with("by-model", Serdes.String(), statsSerde))
        .windowedBy(TimeWindows.ofSizeAndGrace(window, grace))
        .aggregate(WindowStats::empty, (model, one, acc) -> acc.merge(one), Named.as("window-stats"),
            Materialized.<String, WindowStats, WindowStore<Bytes, byte[]>>as("window-stats")
                .withKeySerde(Serdes.String()).withValueSerde(statsSerde))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("window-closed"))
        .toStream(Named.as("closed-windows"))
        .map((w, stats) -> KeyValue.pair(w.key(), toSummary(w, stats, radii)), Named.as("summary"))
        .peek((model, s) -> s.getCertifiedAccuracy().forEach(ra -> {
          if (ra.getAccuracy() != null) metrics.certifiedAccuracy(model, ra.getRadius(), ra.getAccuracy());
        }), Named.as("accuracy-gauges"))
        .to(topics.summary(), Produced.with(Serdes.String(), serdes.summaries()).withName("summaries"));
  }

  static WindowStats observation(CertifiedPrediction p) {
    ModelRef m = p.getModel();
    boolean labelled = p.getLabel() != null;
    return WindowStats.empty().plus(m.getName(), m.getVersion(), m.getSha256(), p.getAbstained(),
        p.getRadius(), labelled, Boolean.TRUE.equals(p.getCorrect()), p.getSamplesUsed());
  }

  static RobustnessSummary toSummary(Windowed<String> w, WindowStats s, List<Double> radii) {
    List<RadiusAccuracy> acc = new ArrayList<>();
    for (double r : radii) {
      double a = s.accuracyAt(r);
      acc.add(RadiusAccuracy.newBuilder().setRadius(r).setCertifiedCount(s.certifiedCount(r))
          .setCorrectCount(s.correctAt(r)).setAccuracy(Double.isNaN(a) ? null : a).build());
    }
    return RobustnessSummary.newBuilder()
        .setWindowStart(Instant.ofEpochMilli(w.window().start()))
        .setWindowEnd(Instant.ofEpochMilli(w.window().end()))
        .setModel(ModelRef.newBuilder().setName(s.modelName()).setVersion(s.modelVersion()).setSha256(s.modelSha256()).build())
        .setCount(s.count())
        .setAbstainCount(s.abstained())
        .setLabelledCount(s.labelled())
        .setCorrectCount(s.correct())
        .setCertifiedAccuracy(acc)
        .setRadiusP10(s.radiusQuantile(0.10))
        .setRadiusP50(s.radiusQuantile(0.50))
        .setRadiusP90(s.radiusQuantile(0.90))
        .setMeanSamples(s.meanSamples())
        .build();
  }
}
