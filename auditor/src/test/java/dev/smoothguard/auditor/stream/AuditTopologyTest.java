package dev.smoothguard.auditor.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.auditor.config.ShapePolicy;
import dev.smoothguard.auditor.config.Topics;
import dev.smoothguard.auditor.ops.AuditorMetrics;
import dev.smoothguard.auditor.replay.ImageEvents;
import dev.smoothguard.auditor.results.CertifiedAccuracyTable;
import dev.smoothguard.auditor.testing.TestStack;
import dev.smoothguard.schemas.registry.Compatibility;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.schemas.serde.AvroDeserializer;
import dev.smoothguard.schemas.serde.AvroSerializer;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertificationMode;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.FailureReason;
import dev.smoothguard.schemas.v1.ImageEncoding;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.schemas.v1.RobustnessSummary;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.engine.EngineOptions;
import dev.smoothguard.smoothing.engine.Mode;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The topology on Kafka Streams' test driver, with the real registry and real ONNX Runtime. */
@ExtendWith(TestStack.Cleanup.class)
class AuditTopologyTest {
  private static final List<Double> RADII = List.of(0.0, 0.25, 0.5, 1.0);
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
            0.25, 20, 200, 0.001, 200, Mode.CERTIFY, OptionalDouble.empty(), OptionalLong.of(7));
  }

  @AfterAll
  static void closeEngine() {
    engine.close();
  }

  /** A driver on topics with a unique prefix (the registry is shared), and its serdes. */
  private static final class Harness implements AutoCloseable {
    final Topics topics;
    final RegistryClient registry = TestStack.registry();
    final AuditSerdes serdes = AuditSerdes.of(registry);
    final AuditorMetrics metrics = new AuditorMetrics();
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> in;
    final TestOutputTopic<String, CertifiedPrediction> out;
    final TestOutputTopic<byte[], AuditFailure> dlq;
    final TestOutputTopic<String, RobustnessSummary> summaries;
    final AvroSerializer<ImageEvent> events = new AvroSerializer<>(registry, false);

    Harness(String prefix, SmoothingEngine engine) {
      this(prefix, engine, settings);
    }

    Harness(String prefix, SmoothingEngine engine, SmoothingSettings settings) {
      topics =
          new Topics(
              prefix + "-images", prefix + "-predictions", prefix + "-dlq", prefix + "-summary");
      Certifier certifier = new Certifier(engine, settings, ShapePolicy.REJECT, 100_000);
      var topology =
          AuditTopology.build(
              topics, Duration.ofSeconds(10), Duration.ZERO, RADII, certifier, serdes, metrics);
      Map<String, Object> props = new HashMap<>();
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ttd-" + prefix);
      props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
      DeadLetterHandlers.configure(
          props,
          new DeadLetterHandlers.Target(topics.dlq(), serdes.failures().serializer(), metrics));
      Properties p = new Properties();
      p.putAll(props);
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
      summaries =
          driver.createOutputTopic(
              topics.summary(), new StringDeserializer(), serdes.summaries().deserializer());
    }

    byte[] bytes(ImageEvent e) {
      return events.serialize(topics.images(), e);
    }

    void pipe(String key, byte[] value, Instant time) {
      in.pipeInput(key == null ? null : key.getBytes(), value, time);
    }

    @Override
    public void close() {
      driver.close();
      metrics.close();
    }
  }

  private static ImageEvent event(String id, int seed, Integer label, Instant time) {
    float[] px = new float[28 * 28];
    Random r = new Random(seed);
    for (int i = 0; i < px.length; i++) px[i] = r.nextInt(256) / 255f;
    return ImageEvents.of(id, new Image(1, 28, 28, px), label, ImageEncoding.PNG, "test", time);
  }

  @Test
  void certifiesEveryGoodImageKeyedByIdWithLineageHeaders() {
    try (Harness h = new Harness("results", engine)) {
      Instant t = Instant.parse("2026-01-01T00:00:00Z");
      for (int i = 0; i < 4; i++)
        h.pipe("img-" + i, h.bytes(event("img-" + i, i, i % 2 == 0 ? 3 : null, t)), t);
      List<TestRecord<String, CertifiedPrediction>> records = h.out.readRecordsToList();
      assertEquals(
          List.of("img-0", "img-1", "img-2", "img-3"),
          records.stream().map(TestRecord::key).toList());
      assertTrue(h.dlq.isEmpty());
      for (TestRecord<String, CertifiedPrediction> r : records) {
        CertifiedPrediction p = r.value();
        assertEquals(r.key(), p.getImageId());
        assertEquals(engine.model().sha256(), p.getModel().getSha256());
        assertEquals(
            engine.model().sha256(), LineageHeaders.get(r.headers(), LineageHeaders.MODEL_SHA256));
        assertEquals(
            p.getModel().getName(), LineageHeaders.get(r.headers(), LineageHeaders.MODEL_NAME));
        assertEquals("unversioned", LineageHeaders.get(r.headers(), LineageHeaders.MODEL_VERSION));
        assertEquals("cpu", LineageHeaders.get(r.headers(), LineageHeaders.DEVICE));
        assertEquals(200, p.getN());
        assertEquals(20, p.getN0());
        assertEquals(0.25, p.getSigma());
        assertEquals(220, p.getSamplesUsed());
        assertEquals(t, p.getEventTime());
        assertFalse(p.getResized());
        if (p.getAbstained()) {
          assertEquals(-1, p.getPredictedClass());
          assertEquals(0.0, p.getRadius());
        } else {
          assertTrue(p.getPredictedClass() >= 0 && p.getPredictedClass() < 10);
          assertTrue(p.getRadius() > 0);
        }
        if (p.getLabel() == null) {
          assertNull(p.getCorrect());
        } else {
          assertEquals(!p.getAbstained() && p.getPredictedClass() == 3, p.getCorrect());
        }
      }
      String scrape = h.metrics.scrape();
      assertTrue(scrape.contains("smoothguard_images_total{model=\"mnist-mlp\"} 4.0"), scrape);
      assertTrue(
          scrape.contains("smoothguard_noisy_samples_total{model=\"mnist-mlp\"} 880.0"), scrape);
      assertTrue(
          scrape.contains("smoothguard_certify_latency_seconds_count{model=\"mnist-mlp\"} 4"),
          scrape);
    }
  }

  @Test
  void targetModeSaysWhetherTheTargetRadiusWasProven() {
    SmoothingSettings target =
        new SmoothingSettings(
            0.25, 20, 400, 0.001, 100, Mode.TARGET, OptionalDouble.of(0.1), OptionalLong.of(3));
    try (Harness h = new Harness("target", engine, target)) {
      Instant t = Instant.parse("2026-01-01T00:00:00Z");
      h.pipe("t", h.bytes(event("t", 11, 2, t)), t);
      CertifiedPrediction p = h.out.readValue();
      assertEquals(CertificationMode.TARGET, p.getMode());
      assertEquals(0.1, p.getTargetRadius());
      assertNotNull(p.getCertifiedAtTarget());
      assertTrue(p.getSamplesUsed() <= 420, "at most n0 + n samples: " + p.getSamplesUsed());
      if (p.getCertifiedAtTarget())
        assertTrue(p.getRadius() >= 0.1, "proven radius " + p.getRadius());
    }
  }

  @Test
  void everyBadRecordGoesToTheDeadLetterTopicWithItsReasonAndOriginalBytes() throws Exception {
    try (Harness h = new Harness("dlq", engine)) {
      Instant t = Instant.parse("2026-01-01T00:00:00Z");
      byte[] random = new byte[300];
      new Random(1).nextBytes(random);
      random[0] = 7; // not the Confluent magic byte
      byte[] unknownId = {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4, 6};
      ImageEvent good = event("ok", 1, 1, t);
      byte[] png = bytesOf(good.getData());
      ImageEvent truncated =
          copy(good, "truncated", ImageEncoding.PNG, 28, 28, 1, Arrays.copyOf(png, png.length / 2));
      ImageEvent huge = copy(good, "huge", ImageEncoding.PNG, 1 << 20, 1 << 20, 1, png);
      ImageEvent channels =
          copy(good, "channels", ImageEncoding.RAW_U8, 28, 28, 4, new byte[28 * 28 * 4]);
      ImageEvent wrongSize =
          copy(good, "wrong-size", ImageEncoding.RAW_U8, 14, 14, 1, new byte[14 * 14]);
      ImageEvent noData =
          ImageEvent.newBuilder(good)
              .setId("uri-only")
              .setData(ByteBuffer.allocate(0))
              .setUri("s3://bucket/x.png")
              .build();

      Map<String, FailureReason> expected = new HashMap<>();
      List<byte[]> values = new ArrayList<>();
      h.pipe("random", random, t);
      expected.put("random", FailureReason.UNDECODABLE_RECORD);
      values.add(random);
      h.pipe("unknown-id", unknownId, t);
      expected.put("unknown-id", FailureReason.UNKNOWN_SCHEMA);
      values.add(unknownId);
      for (ImageEvent e : List.of(truncated, huge, channels, wrongSize, noData)) {
        byte[] v = h.bytes(e);
        h.pipe(e.getId(), v, t);
        values.add(v);
      }
      expected.put("truncated", FailureReason.BAD_IMAGE);
      expected.put("huge", FailureReason.TOO_LARGE);
      expected.put("channels", FailureReason.WRONG_SHAPE);
      expected.put("wrong-size", FailureReason.WRONG_SHAPE);
      expected.put("uri-only", FailureReason.UNSUPPORTED_ENCODING);
      h.pipe("tombstone", null, t);
      expected.put("tombstone", FailureReason.UNDECODABLE_RECORD);
      values.add(null);
      h.pipe("ok", h.bytes(good), t);

      List<TestRecord<byte[], AuditFailure>> failures = h.dlq.readRecordsToList();
      assertEquals(expected.size(), failures.size());
      for (int i = 0; i < failures.size(); i++) {
        TestRecord<byte[], AuditFailure> r = failures.get(i);
        AuditFailure f = r.value();
        String key = new String(r.key());
        assertEquals(expected.get(key), f.getReason(), key + ": " + f.getMessage());
        assertEquals(h.topics.images(), f.getSourceTopic());
        assertEquals(0, f.getPartition());
        assertEquals(i, f.getOffset());
        assertEquals(key, new String(bytesOf(f.getKey())));
        if (values.get(i) == null) {
          assertNull(f.getValue());
        } else {
          assertArrayEquals(values.get(i), bytesOf(f.getValue()), key);
        }
        assertFalse(f.getMessage().isBlank());
        if (i >= 2 && i < 7) assertEquals(key, f.getImageId());
      }
      assertEquals(List.of("ok"), h.out.readRecordsToList().stream().map(TestRecord::key).toList());
      String scrape = h.metrics.scrape();
      assertTrue(
          scrape.contains("smoothguard_dlq_records_total{reason=\"WRONG_SHAPE\"} 2.0"), scrape);
      assertTrue(
          scrape.contains("smoothguard_dlq_records_total{reason=\"TOO_LARGE\"} 1.0"), scrape);
    }
  }

  @Test
  void lateRecordsAreCountedAndAnIdleWindowClosesOnTheWallClock() {
    try (Harness h = new Harness("late", engine)) {
      Instant w0 = Instant.parse("2026-01-01T00:00:00Z");
      h.pipe("a", h.bytes(event("a", 1, 1, w0)), w0);
      Instant later = w0.plusSeconds(25); // closes [0,10) by stream time
      h.pipe("b", h.bytes(event("b", 2, 1, later)), later);
      RobustnessSummary first = h.summaries.readValue();
      assertEquals(1, first.getCount());
      h.pipe(
          "late",
          h.bytes(event("late", 3, 1, w0.plusSeconds(3))),
          w0.plusSeconds(3)); // its window is gone
      assertTrue(h.summaries.isEmpty());
      assertTrue(
          h.metrics.scrape().contains("smoothguard_summary_late_records_total 1.0"),
          h.metrics.scrape());

      // no more traffic: the window of "b" closes once it has been idle for summary.idle.close
      h.driver.advanceWallClockTime(StreamSettings.DEFAULTS.summaryIdleClose().plusSeconds(10));
      RobustnessSummary idle = h.summaries.readValue();
      assertEquals(later.minusSeconds(5), idle.getWindowStart());
      assertEquals(1, idle.getCount());
      assertEquals(1, idle.getLateCount(), "the late record is reported with the next summary");
      assertEquals("IDLE", idle.getClosedBy());
      assertEquals(3, h.out.readValuesToList().size(), "the late record was still certified");
    }
  }

  @Test
  void differentSettingsNeverShareASummary() {
    SmoothingSettings other =
        new SmoothingSettings(
            0.5, 20, 200, 0.001, 200, Mode.CERTIFY, OptionalDouble.empty(), OptionalLong.of(7));
    Instant w0 = Instant.parse("2026-01-01T00:00:00Z");
    Set<String> keys = new HashSet<>();
    for (SmoothingSettings s : List.of(settings, other)) {
      try (Harness h = new Harness("keys-" + s.sigma(), engine, s)) {
        h.pipe("a", h.bytes(event("a", 1, 1, w0)), w0);
        h.driver.advanceWallClockTime(StreamSettings.DEFAULTS.summaryIdleClose().plusSeconds(10));
        TestRecord<String, RobustnessSummary> r = h.summaries.readRecord();
        assertEquals(s.sigma(), r.value().getSigma());
        keys.add(r.key());
      }
    }
    assertEquals(2, keys.size(), keys.toString());
  }

  // engine failures: see FaultModelTest (a broken engine pauses; an error on one image is a
  // MODEL_ERROR)

  @Test
  void aResultTheRegistryRefusesIsAProductionErrorOnTheDeadLetterTopic() {
    try (Harness h = new Harness("production", engine)) {
      // the predictions subject already holds an incompatible schema: our writer gets a 409
      String subject = h.topics.predictions() + "-value";
      Schema other =
          new Schema.Parser()
              .parse(
                  "{\"type\":\"record\",\"name\":\"Other\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
      h.registry.register(subject, other, h.topics.predictions());
      h.registry.setCompatibility(subject, Compatibility.BACKWARD);
      Instant t = Instant.parse("2026-01-01T00:00:00Z");
      byte[] value = h.bytes(event("p", 2, 1, t));
      h.pipe("p", value, t);
      assertTrue(h.out.isEmpty());
      AuditFailure f = h.dlq.readValue();
      assertEquals(FailureReason.PRODUCTION_ERROR, f.getReason(), f.getMessage());
      assertArrayEquals(value, bytesOf(f.getValue()));
      assertEquals(h.topics.images(), f.getSourceTopic());
    }
  }

  @Test
  void closedWindowsBecomeSummariesThatAgreeWithTheResults() {
    try (Harness h = new Harness("summary", engine)) {
      Instant w0 = Instant.parse("2026-01-01T00:00:00Z");
      for (int i = 0; i < 6; i++) {
        Instant t = w0.plusSeconds(i);
        h.pipe("a" + i, h.bytes(event("a" + i, 100 + i, i < 5 ? i % 3 : null, t)), t);
      }
      assertTrue(h.summaries.isEmpty(), "the window is still open");
      Instant later = w0.plusSeconds(25); // stream time passes the first window's end
      h.pipe("b", h.bytes(event("b", 999, 1, later)), later);
      List<CertifiedPrediction> firstWindow = h.out.readValuesToList().subList(0, 6);
      TestRecord<String, RobustnessSummary> r = h.summaries.readRecord();
      RobustnessSummary s = r.value();
      assertEquals(
          "mnist-mlp|" + engine.model().sha256() + "|CERTIFY|sigma=0.25|n=200|alpha=0.001",
          r.key());
      assertEquals(0.25, s.getSigma());
      assertEquals(200, s.getN());
      assertEquals(0.001, s.getAlpha());
      assertEquals("CERTIFY", s.getMode());
      assertEquals(0, s.getLateCount());
      assertEquals("STREAM_TIME", s.getClosedBy());
      assertEquals(w0, s.getWindowStart());
      assertEquals(w0.plusSeconds(10), s.getWindowEnd());
      assertEquals(6, s.getCount());
      assertEquals(5, s.getLabelledCount());
      assertEquals(
          firstWindow.stream().filter(CertifiedPrediction::getAbstained).count(),
          s.getAbstainCount());
      assertEquals(
          firstWindow.stream().filter(p -> Boolean.TRUE.equals(p.getCorrect())).count(),
          s.getCorrectCount());
      assertEquals(220.0, s.getMeanSamples());
      assertEquals(RADII.size(), s.getCertifiedAccuracy().size());
      for (var ra : s.getCertifiedAccuracy()) {
        assertEquals(
            CertifiedAccuracyTable.at(firstWindow, ra.getRadius()), ra.getAccuracy(), 1e-12);
      }
      double[] radii =
          firstWindow.stream().mapToDouble(CertifiedPrediction::getRadius).sorted().toArray();
      double res = s.getRadiusResolution();
      assertEquals(0.25 / 200, res); // half a bin of sigma/100
      assertEquals(radii[0], s.getRadiusP10(), res + 1e-12); // nearest rank: ceil(0.1*6)=1st
      assertEquals(radii[2], s.getRadiusP50(), res + 1e-12); // ceil(0.5*6)=3rd
      assertEquals(radii[5], s.getRadiusP90(), res + 1e-12); // ceil(0.9*6)=6th
      assertTrue(h.summaries.isEmpty(), "the second window is still open");
      String scrape = h.metrics.scrape();
      assertTrue(
          scrape.contains("smoothguard_certified_accuracy{model=\"mnist-mlp\",radius=\"0.25\"}"),
          scrape);
      assertNotNull(s.getModel().getSha256());
    }
  }

  @Test
  void aRegistryOutageIsNotADeadLetterButAFailedTaskThatIsRetried() throws Exception {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      deadPort = socket.getLocalPort();
    }
    RegistryClient dead =
        new RegistryClient(
            RegistryConfig.of("http://127.0.0.1:" + deadPort)
                .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10)));
    try (Harness h = new Harness("outage", engine)) {
      // the images are read through the unreachable registry; everything else as usual
      AuditSerdes serdes =
          new AuditSerdes(
              AvroDeserializer.specific(dead, ImageEvent.class),
              h.serdes.predictions(),
              h.serdes.failures(),
              h.serdes.summaries());
      Certifier certifier = new Certifier(engine, settings, ShapePolicy.REJECT, 100_000);
      var topology =
          AuditTopology.build(
              h.topics, Duration.ofSeconds(10), Duration.ZERO, RADII, certifier, serdes, h.metrics);
      Properties p = new Properties();
      p.put(StreamsConfig.APPLICATION_ID_CONFIG, "ttd-outage-2");
      p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
      Map<String, Object> handlers = new HashMap<>();
      DeadLetterHandlers.configure(
          handlers,
          new DeadLetterHandlers.Target(
              h.topics.dlq(), h.serdes.failures().serializer(), h.metrics));
      p.putAll(handlers);
      try (TopologyTestDriver driver = new TopologyTestDriver(topology, p)) {
        var in =
            driver.createInputTopic(
                h.topics.images(), new ByteArraySerializer(), new ByteArraySerializer());
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        byte[] value = h.bytes(event("o", 1, 1, t)); // a valid record whose schema must be fetched
        StreamsException e =
            assertThrows(StreamsException.class, () -> in.pipeInput("o".getBytes(), value, t));
        assertTrue(DeadLetterHandlers.isTransient(e), e.toString());
        assertTrue(
            driver
                .createOutputTopic(
                    h.topics.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .isEmpty());
      }
    }
  }

  private static ImageEvent copy(
      ImageEvent e, String id, ImageEncoding enc, int w, int h, int c, byte[] data) {
    return ImageEvent.newBuilder(e)
        .setId(id)
        .setEncoding(enc)
        .setWidth(w)
        .setHeight(h)
        .setChannels(c)
        .setData(ByteBuffer.wrap(data))
        .build();
  }

  private static byte[] bytesOf(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
