package dev.smoothguard.auditor.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.image.DecodedImage;
import dev.smoothguard.auditor.ops.SystemHealth;
import dev.smoothguard.auditor.testing.CommittedTopics;
import dev.smoothguard.auditor.testing.SwitchableGateway;
import dev.smoothguard.auditor.testing.TestStack;
import dev.smoothguard.schemas.serde.AvroSerializer;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.FailureReason;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.schemas.v1.ModelRef;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault model and the transaction sizing on the real KRaft broker and the real registry: a
 * megabyte record at the broker's limit, a registry that answers 401, an engine that fails every
 * image, and eight partitions on one thread with multi-second certifications.
 */
@ExtendWith(TestStack.Cleanup.class)
class StreamUnderFaultsTest {
  private static final Duration PATIENCE = Duration.ofMinutes(3); // only to fail instead of hang
  private static final StreamSettings QUICK =
      StreamSettings.DEFAULTS.withFaultBackoff(Duration.ofMillis(200), Duration.ofSeconds(1));

  private static Map<String, String> props(String prefix, Path stateDir, String registryUrl) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("application.id", "faults-" + prefix);
    p.put("model.path", TestStack.model().toString());
    p.put("device", "cpu");
    p.put("sigma", "0.25");
    p.put("n0", "10");
    p.put("n", "200");
    p.put("batch", "200");
    p.put("topic.images", prefix + "-images");
    p.put("topic.predictions", prefix + "-predictions");
    p.put("topic.dlq", prefix + "-dlq");
    p.put("topic.summary", prefix + "-summary");
    p.put("registry.url", registryUrl);
    p.put("http.port", "0");
    p.put("kafka.bootstrap.servers", TestStack.get().bootstrapServers());
    p.put("kafka.state.dir", stateDir.toString());
    p.put("kafka.session.timeout.ms", "6000");
    p.put("kafka.heartbeat.interval.ms", "1000");
    return p;
  }

  private static AuditService start(AuditorConfig config, UnaryOperator<ImageCertifier> decorate)
      throws Exception {
    SmoothingEngine engine = AuditService.openEngine(config);
    AuditService service;
    try {
      service = AuditService.start(config, QUICK, engine, true, decorate);
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    assertTrue(service.awaitRunning(PATIENCE), "stream RUNNING");
    return service;
  }

  private static void send(Map<String, byte[]> records, String topic, int maxRequest) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers());
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequest);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (var r : records.entrySet()) {
        try {
          producer
              .send(new ProducerRecord<>(topic, r.getKey().getBytes(), r.getValue()))
              .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException("sending " + r.getKey() + ": " + e, e);
        }
      }
    }
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) fail("gave up waiting for " + what);
      Thread.sleep(100);
    }
  }

  private static long committedOffsets(String group, String topic) throws Exception {
    try (Admin admin = TestStack.get().kafka().admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      return offsets.entrySet().stream()
          .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset())
          .sum();
    }
  }

  @Test
  void aMegabyteBadImageAtTheBrokersLimitIsDeadLetteredCutToFitAndTheStreamGoesOn(
      @TempDir Path state) throws Exception {
    AuditorConfig config =
        AuditorConfig.from(props("huge", state, TestStack.get().registryUrl()), Map.of());
    String images = config.topics().images();
    // the input topic takes records up to 3 MB; the auditor's producer keeps the default 1 MB
    // request limit
    try (Admin admin = TestStack.get().kafka().admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(images, 1, (short) 1)
                      .configs(Map.of("max.message.bytes", Integer.toString(3 * 1024 * 1024)))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    try (AuditService service = start(config, UnaryOperator.identity())) {
      AvroSerializer<ImageEvent> events = new AvroSerializer<>(TestStack.registry(), false);
      byte[] noise = new byte[1_200_000];
      new Random(11).nextBytes(noise);
      ImageEvent bad =
          ImageEvent.newBuilder(CommittedTopics.image("huge", 1))
              .setData(ByteBuffer.wrap(noise))
              .build();
      byte[] badBytes = events.serialize(images, bad);
      Map<String, byte[]> records = new LinkedHashMap<>();
      records.put("huge", badBytes);
      records.put("after", events.serialize(images, CommittedTopics.image("after", 2)));
      send(records, images, 3 * 1024 * 1024);

      var dlq = CommittedTopics.readUntil(config.topics().dlq(), PATIENCE, rs -> !rs.isEmpty());
      assertEquals(1, dlq.size());
      assertTrue(
          dlq.get(0).serializedValueSize() < 1_048_576,
          "the dead letter fits: " + dlq.get(0).serializedValueSize());
      AuditFailure f = CommittedTopics.failures(dlq, config.topics().dlq()).get(0);
      assertEquals(FailureReason.BAD_IMAGE, f.getReason(), f.getMessage());
      assertEquals("huge", f.getImageId());
      assertTrue(f.getOriginalTruncated());
      assertEquals(badBytes.length, f.getOriginalSize());
      assertEquals(FailureRecords.sha256(badBytes), f.getOriginalSha256());
      System.out.printf(
          "largest record handled: input %d bytes -> dead letter %d bytes (value prefix %d bytes)%n",
          badBytes.length, dlq.get(0).serializedValueSize(), f.getValue().remaining());

      var out =
          CommittedTopics.readUntil(config.topics().predictions(), PATIENCE, rs -> !rs.isEmpty());
      assertEquals(
          List.of("after"),
          CommittedTopics.predictions(out, config.topics().predictions()).stream()
              .map(CertifiedPrediction::getImageId)
              .toList());
      assertEquals(KafkaStreams.State.RUNNING, service.state());
      assertEquals(200, get(service.httpPort(), "/ready").statusCode());
    }
  }

  @Test
  void aRegistryAnswering401PausesWithoutCommittingOrDeadLetteringAndRecovers(@TempDir Path state)
      throws Exception {
    try (SwitchableGateway gateway = new SwitchableGateway(TestStack.get().registryUrl())) {
      AuditorConfig config = AuditorConfig.from(props("auth", state, gateway.url()), Map.of());
      try (AuditService service = start(config, UnaryOperator.identity())) {
        gateway.refuse(true); // credentials revoked while the auditor runs
        AvroSerializer<ImageEvent> events = new AvroSerializer<>(TestStack.registry(), false);
        Map<String, byte[]> records = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++)
          records.put(
              "a" + i,
              events.serialize(config.topics().images(), CommittedTopics.image("a" + i, i)));
        send(records, config.topics().images(), 1_048_576);

        await(
            "a pause on the registry",
            () ->
                service
                    .health()
                    .pause()
                    .filter(p -> p.component() == SystemHealth.Component.REGISTRY)
                    .isPresent());
        await(
            "several retries",
            () -> service.health().pause().map(p -> p.attempts() >= 2).orElse(false));
        HttpResponse<String> ready = get(service.httpPort(), "/ready");
        assertEquals(503, ready.statusCode());
        assertTrue(
            ready.body().contains("PAUSED on a registry fault")
                && ready.body().contains("HTTP 401"),
            ready.body());
        String metrics = get(service.httpPort(), "/metrics").body();
        assertTrue(metrics.contains("smoothguard_paused{component=\"registry\"} 1.0"), metrics);
        assertEquals(
            0,
            committedOffsets(config.applicationId(), config.topics().images()),
            "input not committed");
        assertTrue(
            CommittedTopics.readUntil(config.topics().dlq(), Duration.ofSeconds(2), rs -> false)
                .isEmpty(),
            "nothing dead-lettered");

        gateway.refuse(false);
        var out =
            CommittedTopics.readUntil(
                config.topics().predictions(), PATIENCE, rs -> rs.size() >= 5);
        Map<String, Long> counts =
            CommittedTopics.counts(CommittedTopics.predictions(out, config.topics().predictions()));
        assertEquals(records.keySet(), counts.keySet());
        counts.forEach((id, c) -> assertEquals(1L, c, id + " exactly once"));
        await("the pause to clear", () -> !service.health().paused());
        assertEquals(200, get(service.httpPort(), "/ready").statusCode());
        assertTrue(
            CommittedTopics.readUntil(config.topics().dlq(), Duration.ofSeconds(1), rs -> false)
                .isEmpty());
        await(
            "the input committed",
            () -> {
              try {
                return committedOffsets(config.applicationId(), config.topics().images()) == 5;
              } catch (Exception e) {
                return false;
              }
            });
      }
    }
  }

  /**
   * A Certifier wrapper standing for a lost device: while broken, every certification and the
   * engine's probe fail (as ONNX Runtime does when the CUDA device is gone).
   */
  private static final class LostDevice implements ImageCertifier {
    final ImageCertifier delegate;
    final AtomicBoolean broken = new AtomicBoolean(true);

    LostDevice(ImageCertifier delegate) {
      this.delegate = delegate;
    }

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
      return broken.get()
          ? Optional.of("CUDA failure 999: unspecified launch failure")
          : delegate.probe();
    }

    public CertifiedPrediction certify(ImageEvent e, DecodedImage image) {
      if (broken.get()) {
        throw new Certifier.ModelFailureException(
            "model failed on image '" + e.getId() + "'",
            new IllegalStateException("CUDA failure 999: unspecified launch failure"));
      }
      return delegate.certify(e, image);
    }
  }

  @Test
  void anEngineThatFailsEveryImagePausesAndEveryImageIsCertifiedOnceItRecovers(@TempDir Path state)
      throws Exception {
    AuditorConfig config =
        AuditorConfig.from(props("device", state, TestStack.get().registryUrl()), Map.of());
    LostDevice[] device = new LostDevice[1];
    try (AuditService service = start(config, c -> device[0] = new LostDevice(c))) {
      AvroSerializer<ImageEvent> events = new AvroSerializer<>(TestStack.registry(), false);
      Map<String, byte[]> records = new LinkedHashMap<>();
      for (int i = 0; i < 5; i++)
        records.put(
            "d" + i, events.serialize(config.topics().images(), CommittedTopics.image("d" + i, i)));
      send(records, config.topics().images(), 1_048_576);
      await(
          "a pause on the engine",
          () -> service.health().pause().map(p -> p.attempts() >= 2).orElse(false));
      assertEquals(SystemHealth.Component.ENGINE, service.health().pause().get().component());
      assertEquals(503, get(service.httpPort(), "/ready").statusCode());
      assertEquals(
          0,
          committedOffsets(config.applicationId(), config.topics().images()),
          "input not committed");

      device[0].broken.set(false);
      var out =
          CommittedTopics.readUntil(config.topics().predictions(), PATIENCE, rs -> rs.size() >= 5);
      Map<String, Long> counts =
          CommittedTopics.counts(CommittedTopics.predictions(out, config.topics().predictions()));
      assertEquals(records.keySet(), counts.keySet());
      counts.forEach((id, c) -> assertEquals(1L, c, id + " exactly once"));
      assertTrue(
          CommittedTopics.readUntil(config.topics().dlq(), Duration.ofSeconds(1), rs -> false)
              .isEmpty(),
          "nothing dead-lettered");
      await("the pause to clear", () -> !service.health().paused());
    }
  }

  @Test
  void aDeadLetterTopicWhoseLimitShrinksAfterStartStillGetsADeadLetterThatFits(@TempDir Path state)
      throws Exception {
    AuditorConfig config =
        AuditorConfig.from(props("shrink", state, TestStack.get().registryUrl()), Map.of());
    try (AuditService service = start(config, UnaryOperator.identity())) {
      // the operator lowers the dead-letter topic's limit while the auditor runs (it read 1 MB at
      // start)
      try (Admin admin = TestStack.get().kafka().admin()) {
        var dlq = new ConfigResource(ConfigResource.Type.TOPIC, config.topics().dlq());
        admin
            .incrementalAlterConfigs(
                Map.of(
                    dlq,
                    List.of(
                        new AlterConfigOp(
                            new ConfigEntry("max.message.bytes", "65536"),
                            AlterConfigOp.OpType.SET))))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      byte[] garbage = new byte[200_000];
      new Random(3).nextBytes(garbage);
      garbage[0] = 7; // not the registry's magic byte: the record's fault
      AvroSerializer<ImageEvent> events = new AvroSerializer<>(TestStack.registry(), false);
      Map<String, byte[]> records = new LinkedHashMap<>();
      records.put("garbage", garbage);
      records.put(
          "good", events.serialize(config.topics().images(), CommittedTopics.image("good", 1)));
      send(records, config.topics().images(), 1_048_576);

      var dlq = CommittedTopics.readUntil(config.topics().dlq(), PATIENCE, rs -> !rs.isEmpty());
      assertEquals(1, dlq.size(), "one dead letter");
      assertTrue(
          dlq.get(0).serializedValueSize() < 65_536,
          "fits the lowered limit: " + dlq.get(0).serializedValueSize());
      AuditFailure f = CommittedTopics.failures(dlq, config.topics().dlq()).get(0);
      assertEquals(FailureReason.UNDECODABLE_RECORD, f.getReason());
      assertTrue(f.getOriginalTruncated());
      assertEquals(garbage.length, f.getOriginalSize());
      assertEquals(FailureRecords.sha256(garbage), f.getOriginalSha256());
      var out =
          CommittedTopics.readUntil(config.topics().predictions(), PATIENCE, rs -> !rs.isEmpty());
      assertEquals(
          List.of("good"),
          CommittedTopics.predictions(out, config.topics().predictions()).stream()
              .map(CertifiedPrediction::getImageId)
              .toList());
      assertTrue(
          service.state() == KafkaStreams.State.RUNNING
              || service.state() == KafkaStreams.State.REBALANCING,
          "the client is not shut down: " + service.state());
      System.out.printf(
          "dead letter after the DLQ limit shrank to 64 KiB: %d bytes (pauses: %s)%n",
          dlq.get(0).serializedValueSize(),
          service
              .metrics()
              .scrape()
              .lines()
              .filter(l -> l.startsWith("smoothguard_system_faults_total"))
              .toList());
    }
  }
}
