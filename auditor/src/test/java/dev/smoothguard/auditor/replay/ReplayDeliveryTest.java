package dev.smoothguard.auditor.replay;

import static dev.smoothguard.auditor.testing.CapturedCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.auditor.testing.TestStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** replay takes the service's settings file and checks that the broker accepted every image. */
@ExtendWith(TestStack.Cleanup.class)
class ReplayDeliveryTest {

  @Test
  void theServicesConfigFileIsEnough(@TempDir Path dir) throws Exception {
    String topic = "replay-config-" + UUID.randomUUID();
    try (Admin admin =
        Admin.create(Map.of("bootstrap.servers", TestStack.get().bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    Path config = serviceConfig(dir, topic);
    int[] code = {-1};
    String out =
        run(
            code,
            "replay",
            "--config",
            config.toString(),
            "--data",
            TestStack.sampleData(),
            "--limit",
            "3");
    assertEquals(0, code[0], out);
    assertEquals(3, count(topic, 3), "sent to the config's topic.images");
  }

  @Test
  void imagesTheBrokerRefusesMakeReplayFailWithTheCountAndTheFirstReason(@TempDir Path dir)
      throws Exception {
    String topic = "replay-small-" + UUID.randomUUID();
    try (Admin admin =
        Admin.create(Map.of("bootstrap.servers", TestStack.get().bootstrapServers()))) {
      // a RAW_U8 28x28 image is 784 bytes of pixels: more than this topic takes
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "600"))))
          .all()
          .get();
    }
    Path config = serviceConfig(dir, topic);
    int[] code = {-1};
    String out =
        run(
            code,
            "replay",
            "--config",
            config.toString(),
            "--data",
            TestStack.sampleData(),
            "--limit",
            "4",
            "--encoding",
            "RAW_U8",
            "-X",
            "linger.ms=0");
    assertEquals(2, code[0], out);
    // every image sent is refused; sending stops once the first refusal is known
    assertTrue(
        Pattern.compile(
                "smoothguard replay: ([1-4]) of \\1 images to topic '"
                    + topic
                    + "' were not delivered; first reason: RecordTooLargeException")
            .matcher(out)
            .find(),
        out);
  }

  private static Path serviceConfig(Path dir, String imagesTopic) throws Exception {
    Path config = dir.resolve("auditor.properties");
    Files.writeString(
        config,
        "kafka.bootstrap.servers="
            + TestStack.get().bootstrapServers()
            + "\n"
            + "registry.url="
            + TestStack.get().registryUrl()
            + "\n"
            + "topic.images="
            + imagesTopic
            + "\n"
            + "kafka.processing.guarantee=exactly_once_v2\n"
            + "kafka.state.dir=/nonexistent/state\n");
    return config;
  }

  private static int count(String topic, int expected) {
    Map<String, Object> c =
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers());
    int n = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (n < expected && System.nanoTime() < deadline) {
        n += consumer.poll(Duration.ofMillis(300)).count();
      }
    }
    return n;
  }
}
