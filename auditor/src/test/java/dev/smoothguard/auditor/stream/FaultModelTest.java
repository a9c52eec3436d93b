package dev.smoothguard.auditor.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.smoothguard.auditor.config.ShapePolicy;
import dev.smoothguard.auditor.config.Topics;
import dev.smoothguard.auditor.image.DecodedImage;
import dev.smoothguard.auditor.ops.AuditorMetrics;
import dev.smoothguard.auditor.ops.SystemHealth;
import dev.smoothguard.auditor.replay.ImageEvents;
import dev.smoothguard.auditor.testing.SwitchableGateway;
import dev.smoothguard.auditor.testing.TestStack;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.schemas.serde.AvroDeserializer;
import dev.smoothguard.schemas.serde.AvroSerializer;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.FailureReason;
import dev.smoothguard.schemas.v1.ImageEncoding;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.schemas.v1.ModelRef;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.engine.EngineOptions;
import dev.smoothguard.smoothing.engine.Mode;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import dev.smoothguard.smoothing.onnx.GraphBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault model on Kafka Streams' test driver, with the real registry (behind a gateway when it
 * must refuse) and real ONNX Runtime: record faults are dead-lettered and fit, system faults are
 * thrown (nothing dead-lettered) and pause.
 */
@ExtendWith(TestStack.Cleanup.class)
class FaultModelTest {
  private static final List<Double> RADII = List.of(0.0, 0.5);
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
  private static SmoothingEngine engine;
  private static SmoothingSettings settings;

  @BeforeAll
  static void openEngine() {
    engine =
        SmoothingEngine.open(
            TestStack.model(),
            new EngineOptions("cpu", 1, OptionalInt.empty(), OptionalInt.empty()));
    settings =
        new SmoothingSettings(
            0.25, 10, 100, 0.001, 100, Mode.CERTIFY, OptionalDouble.empty(), OptionalLong.of(7));
  }

  @AfterAll
  static void closeEngine() {
    engine.close();
  }

  /**
   * A driver on topics with a unique prefix; the images may be read through another registry
   * client.
   */
  private static final class Harness implements AutoCloseable {
    final Topics topics;
    final RegistryClient registry = TestStack.registry();
    final AuditSerdes serdes;
    final AuditorMetrics metrics = new AuditorMetrics();
    final SystemHealth health = new SystemHealth();
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> in;
    final TestOutputTopic<String, CertifiedPrediction> out;
    final TestOutputTopic<byte[], AuditFailure> dlq;
    final TestOutputTopic<byte[], byte[]> dlqRaw;
    final AvroSerializer<ImageEvent> events = new AvroSerializer<>(registry, false);

    Harness(
        String prefix,
        ImageCertifier certifier,
        StreamSettings stream,
        DeadLetterFit fit,
        RegistryClient imageRegistry,
        RegistryProbe probe) {
      topics =
          new Topics(
              prefix + "-images", prefix + "-predictions", prefix + "-dlq", prefix + "-summary");
      AuditSerdes own = AuditSerdes.of(registry);
      serdes =
          new AuditSerdes(
              AvroDeserializer.specific(imageRegistry, ImageEvent.class),
              own.predictions(),
              own.failures(),
              own.summaries());
      var topology =
          AuditTopology.build(
              topics,
              Duration.ofSeconds(10),
              Duration.ZERO,
              RADII,
              new AuditTopology.Parts(certifier, serdes, metrics, health, stream, fit, probe));
      Properties p = new Properties();
      p.put(StreamsConfig.APPLICATION_ID_CONFIG, "ttd-" + prefix);
      p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
      Map<String, Object> handlers = new HashMap<>();
      DeadLetterHandlers.configure(
          handlers,
          new DeadLetterHandlers.Target(
              topics.dlq(), serdes.failures().serializer(), metrics, fit));
      p.putAll(handlers);
      driver = new TopologyTestDriver(topology, p);
      in =
          driver.createInputTopic(
              topics.images(), new ByteArraySerializer(), new ByteArraySerializer());
      out =
          driver.createOutputTopic(
              topics.predictions(), new StringDeserializer(), serdes.predictions().deserializer());
      dlq =
          driver.createOutputTopic(
              topics.dlq(), new ByteArrayDeserializer(), serdes.failures().deserializer());
      dlqRaw =
          driver.createOutputTopic(
              topics.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    Harness(String prefix, ImageCertifier certifier) {
      this(
          prefix,
          certifier,
          StreamSettings.DEFAULTS,
          new DeadLetterFit(DeadLetterFit.DEFAULT_MAX_REQUEST_SIZE),
          TestStack.registry(),
          RegistryProbe.NONE);
    }

    byte[] bytes(ImageEvent e) {
      return events.serialize(topics.images(), e);
    }

    @Override
    public void close() {
      driver.close();
      metrics.close();
    }
  }

  private static Certifier certifier() {
    return new Certifier(engine, settings, ShapePolicy.REJECT, 100_000);
  }

  private static ImageEvent event(String id, int seed, Instant time) {
    float[] px = new float[28 * 28];
    Random r = new Random(seed);
    for (int i = 0; i < px.length; i++) px[i] = r.nextInt(256) / 255f;
    return ImageEvents.of(id, new Image(1, 28, 28, px), 1, ImageEncoding.PNG, "test", time);
  }

  private static byte[] bytesOf(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Test
  void aDeadLetterLargerThanTheRequestLimitKeepsAPrefixItsSizeAndItsSha256() {
    DeadLetterFit fit = new DeadLetterFit(64 * 1024);
    try (Harness h =
        new Harness(
            "fit",
            certifier(),
            StreamSettings.DEFAULTS,
            fit,
            TestStack.registry(),
            RegistryProbe.NONE)) {
      byte[] big = new byte[200_000];
      new Random(5).nextBytes(big);
      big[0] = 9; // not the registry's magic byte: UNDECODABLE_RECORD
      byte[] small = new byte[300];
      new Random(6).nextBytes(small);
      small[0] = 9;
      RecordHeaders headers = new RecordHeaders();
      headers.add("traceparent", "00-abc-def-01".getBytes(StandardCharsets.UTF_8));
      h.in.pipeInput(new TestRecord<>("big".getBytes(), big, headers, T));
      h.in.pipeInput("small".getBytes(), small, T);

      List<TestRecord<byte[], byte[]>> raw = h.dlqRaw.readRecordsToList();
      assertEquals(2, raw.size());
      int wire =
          raw.get(0).value().length
              + raw.get(0).key().length
              + DeadLetterFit.headerBytes(raw.get(0).headers());
      assertTrue(
          wire + DeadLetterFit.RECORD_OVERHEAD <= fit.maxRecordBytes(),
          "the dead letter fits: " + wire);
      assertEquals(
          "00-abc-def-01",
          new String(
              raw.get(0).headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8));

      AuditFailure cut =
          h.serdes.failures().deserializer().deserialize(h.topics.dlq(), raw.get(0).value());
      assertEquals(FailureReason.UNDECODABLE_RECORD, cut.getReason());
      assertTrue(cut.getOriginalTruncated());
      assertEquals(big.length, cut.getOriginalSize());
      assertEquals(FailureRecords.sha256(big), cut.getOriginalSha256());
      byte[] prefix = bytesOf(cut.getValue());
      assertTrue(
          prefix.length > 60_000 && prefix.length < big.length, "prefix of " + prefix.length);
      assertArrayEquals(Arrays.copyOf(big, prefix.length), prefix);

      AuditFailure whole =
          h.serdes.failures().deserializer().deserialize(h.topics.dlq(), raw.get(1).value());
      assertFalse(whole.getOriginalTruncated());
      assertArrayEquals(small, bytesOf(whole.getValue()));
      assertEquals(small.length, whole.getOriginalSize());
      assertEquals(FailureRecords.sha256(small), whole.getOriginalSha256());
    }
  }

  @Test
  void anEventTimeBeforeEpochOrFarAheadIsDeadLetteredBeforeAnyCertification() {
    try (Harness h = new Harness("event-time", certifier())) {
      h.in.pipeInput("neg".getBytes(), h.bytes(event("neg", 1, Instant.ofEpochMilli(-5))), T);
      Instant future = Instant.now().plus(Duration.ofDays(2));
      h.in.pipeInput("future".getBytes(), h.bytes(event("future", 2, future)), T);
      h.in.pipeInput("ok".getBytes(), h.bytes(event("ok", 3, Instant.now().plusSeconds(60))), T);
      List<AuditFailure> failures = h.dlq.readValuesToList();
      assertEquals(
          List.of(FailureReason.INVALID_EVENT_TIME, FailureReason.INVALID_EVENT_TIME),
          failures.stream().map(AuditFailure::getReason).toList());
      assertEquals(
          List.of("neg", "future"), failures.stream().map(AuditFailure::getImageId).toList());
      assertEquals(List.of("ok"), h.out.readRecordsToList().stream().map(TestRecord::key).toList());
      String scrape = h.metrics.scrape();
      assertTrue(
          scrape.contains("smoothguard_certifications_started_total{model=\"mnist-mlp\"} 1.0"),
          scrape);
      assertTrue(
          scrape.contains("smoothguard_dlq_records_total{reason=\"INVALID_EVENT_TIME\"} 2.0"),
          scrape);
    }
  }

  @Test
  void predictionsCarryTheInputHeadersAndTheLineageHeaders() {
    try (Harness h = new Harness("headers", certifier())) {
      RecordHeaders headers = new RecordHeaders();
      headers.add(
          "traceparent",
          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
              .getBytes(StandardCharsets.UTF_8));
      headers.add(LineageHeaders.MODEL_NAME, "spoofed".getBytes(StandardCharsets.UTF_8));
      h.in.pipeInput(new TestRecord<>("a".getBytes(), h.bytes(event("a", 1, T)), headers, T));
      TestRecord<String, CertifiedPrediction> r = h.out.readRecord();
      assertEquals(
          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
          new String(r.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8));
      assertEquals(
          "mnist-mlp",
          LineageHeaders.get(r.headers(), LineageHeaders.MODEL_NAME),
          "the auditor's lineage wins");
      assertEquals(
          engine.model().sha256(), LineageHeaders.get(r.headers(), LineageHeaders.MODEL_SHA256));
    }
  }

  /**
   * A classifier that only runs on batches of one: loads fine, fails inside ONNX Runtime on every
   * Monte Carlo batch.
   */
  private static Path batchOneOnlyModel(Path dir) throws Exception {
    GraphBuilder g = new GraphBuilder("batch_one_only", 17);
    String x = g.input("pixels", DataType.FLOAT, "N", 1L, 28L, 28L);
    String flat = g.node("Reshape", List.of(x, g.longs("shape", 1, 784)));
    String logits = g.dense(flat, new float[784 * 10], new float[10], 784, 10);
    g.addNode("Identity", List.of(logits), List.of("logits"));
    g.output("logits", DataType.FLOAT, "N", 10L);
    Path model = dir.resolve("batch-one-only.onnx");
    Files.write(model, g.model("test").toByteArray());
    return model;
  }

  @Test
  void anEngineThatFailsOnEveryImagePausesAndDeadLettersNothing(@TempDir Path dir)
      throws Exception {
    try (SmoothingEngine broken =
            SmoothingEngine.open(
                batchOneOnlyModel(dir),
                new EngineOptions("cpu", 1, OptionalInt.empty(), OptionalInt.empty()));
        Harness h =
            new Harness(
                "engine-broken", new Certifier(broken, settings, ShapePolicy.REJECT, 100_000))) {
      byte[] value = h.bytes(event("x", 5, T));
      StreamsException e =
          assertThrows(StreamsException.class, () -> h.in.pipeInput("x".getBytes(), value, T));
      assertEquals(Optional.of(SystemHealth.Component.ENGINE), Faults.systemComponent(e));
      assertTrue(h.dlq.isEmpty(), "nothing dead-lettered");
      assertTrue(h.out.isEmpty());

      // what the stream thread's handler then does: pause (visible), wait, replace the thread
      StreamSettings quick =
          StreamSettings.DEFAULTS.withFaultBackoff(Duration.ofMillis(10), Duration.ofMillis(40));
      h.metrics.bindHealth(h.health);
      SystemFaultPolicy policy = new SystemFaultPolicy(h.health, h.metrics, quick);
      assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(e));
      assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(e));
      SystemHealth.Pause pause = h.health.pause().orElseThrow();
      assertEquals(SystemHealth.Component.ENGINE, pause.component());
      assertEquals(2, pause.attempts());
      assertTrue(pause.reason().contains("fails on a known-good image too"), pause.reason());
      assertTrue(h.health.describe().startsWith("PAUSED on an engine fault"), h.health.describe());
      String scrape = h.metrics.scrape();
      assertTrue(scrape.contains("smoothguard_paused{component=\"engine\"} 1.0"), scrape);
      assertTrue(
          scrape.contains("smoothguard_system_faults_total{component=\"engine\"} 2.0"), scrape);
      assertTrue(scrape.contains("smoothguard_paused{component=\"registry\"} 0.0"), scrape);
    }
  }

  /** Fails with a fixed engine error on the chosen image ids; the probe still passes. */
  private record FailsOn(ImageCertifier delegate, Set<String> ids) implements ImageCertifier {
    public ModelRef modelRef() {
      return delegate.modelRef();
    }

    public String device() {
      return delegate.device();
    }

    public SmoothingSettings settings() {
      return delegate.settings();
    }

    public DecodedImage decode(ImageEvent e) {
      return delegate.decode(e);
    }

    public Optional<String> probe() {
      return delegate.probe();
    }

    public CertifiedPrediction certify(ImageEvent e, DecodedImage image) {
      if (ids.contains(e.getId())) {
        throw new Certifier.ModelFailureException(
            "model failed on image '" + e.getId() + "'",
            new IllegalStateException("Non-zero status code returned while running Conv node"));
      }
      return delegate.certify(e, image);
    }
  }

  @Test
  void anEngineErrorOnOneImageIsAModelErrorButTheSameErrorOnKImagesInARowPauses() {
    Set<String> failing = ConcurrentHashMap.newKeySet();
    failing.add("bad-1");
    StreamSettings k3 = StreamSettings.DEFAULTS.withEngineErrorStreak(3);
    try (Harness h =
        new Harness(
            "engine-streak",
            new FailsOn(certifier(), failing),
            k3,
            new DeadLetterFit(DeadLetterFit.DEFAULT_MAX_REQUEST_SIZE),
            TestStack.registry(),
            RegistryProbe.NONE)) {
      h.in.pipeInput("bad-1".getBytes(), h.bytes(event("bad-1", 1, T)), T);
      h.in.pipeInput("good".getBytes(), h.bytes(event("good", 2, T)), T); // resets the streak
      failing.addAll(List.of("bad-2", "bad-3", "bad-4"));
      h.in.pipeInput("bad-2".getBytes(), h.bytes(event("bad-2", 3, T)), T);
      h.in.pipeInput("bad-3".getBytes(), h.bytes(event("bad-3", 4, T)), T);
      StreamsException e =
          assertThrows(
              StreamsException.class,
              () -> h.in.pipeInput("bad-4".getBytes(), h.bytes(event("bad-4", 5, T)), T));
      assertEquals(Optional.of(SystemHealth.Component.ENGINE), Faults.systemComponent(e));
      assertTrue(
          e.getCause().getMessage().contains("same engine error on 3 images in a row")
              || String.valueOf(e.getCause().getCause())
                  .contains("same engine error on 3 images in a row"),
          e.toString());
      assertEquals(
          List.of("bad-1", "bad-2", "bad-3"),
          h.dlq.readValuesToList().stream()
              .peek(f -> assertEquals(FailureReason.MODEL_ERROR, f.getReason()))
              .map(AuditFailure::getImageId)
              .toList());
      assertEquals(
          List.of("good"), h.out.readRecordsToList().stream().map(TestRecord::key).toList());
    }
  }

  @Test
  void aRegistryAnswering401IsASystemFaultNotADeadLetter() throws Exception {
    try (SwitchableGateway gateway = new SwitchableGateway(TestStack.get().registryUrl())) {
      gateway.refuse(true);
      RegistryClient refused = new RegistryClient(RegistryConfig.of(gateway.url()));
      try (Harness h =
          new Harness(
              "registry-401",
              certifier(),
              StreamSettings.DEFAULTS,
              new DeadLetterFit(DeadLetterFit.DEFAULT_MAX_REQUEST_SIZE),
              refused,
              RegistryProbe.NONE)) {
        byte[] value = h.bytes(event("r", 1, T));
        StreamsException e =
            assertThrows(StreamsException.class, () -> h.in.pipeInput("r".getBytes(), value, T));
        assertEquals(Optional.of(SystemHealth.Component.REGISTRY), Faults.systemComponent(e));
        assertTrue(
            SystemFaultPolicy.reasonOf(e).contains("HTTP 401"), SystemFaultPolicy.reasonOf(e));
        assertTrue(h.dlq.isEmpty());
        assertTrue(gateway.refused() > 0);
      }
    }
  }

  @Test
  void aRegistryAtAWrongPathIsASystemFaultButAnUnknownSchemaIdIsTheRecordsFault() {
    String wrong = TestStack.get().registryUrl() + "/no-such-prefix";
    RegistryClient wrongPath = new RegistryClient(RegistryConfig.of(wrong));
    RegistryProbe wrongProbe = RegistryProbe.of(RegistryConfig.of(wrong), 1);
    try (Harness h =
        new Harness(
            "registry-path",
            certifier(),
            StreamSettings.DEFAULTS,
            new DeadLetterFit(DeadLetterFit.DEFAULT_MAX_REQUEST_SIZE),
            wrongPath,
            wrongProbe)) {
      byte[] value = h.bytes(event("p", 1, T));
      StreamsException e =
          assertThrows(StreamsException.class, () -> h.in.pipeInput("p".getBytes(), value, T));
      assertEquals(Optional.of(SystemHealth.Component.REGISTRY), Faults.systemComponent(e));
      assertTrue(h.dlq.isEmpty());
    }
    // the right registry, a record naming an id nobody registered: dead-lettered
    RegistryClient right = TestStack.registry();
    int known = right.idFor("fault-probe-value", AuditFailure.getClassSchema(), "fault-probe");
    try (Harness h =
        new Harness(
            "registry-unknown-id",
            certifier(),
            StreamSettings.DEFAULTS,
            new DeadLetterFit(DeadLetterFit.DEFAULT_MAX_REQUEST_SIZE),
            right,
            RegistryProbe.of(RegistryConfig.of(TestStack.get().registryUrl()), known))) {
      h.in.pipeInput("u".getBytes(), new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4}, T);
      assertEquals(FailureReason.UNKNOWN_SCHEMA, h.dlq.readValue().getReason());
    }
  }
}
