package dev.smoothguard.auditor.replay;

import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.serde.AvroSerializer;
import dev.smoothguard.schemas.v1.ImageEncoding;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.smoothing.data.ImageDataset;
import dev.smoothguard.smoothing.data.LabeledImage;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces a dataset's images as ImageEvents keyed by a deterministic id: {@code PREFIX-INDEX}
 * (index zero-padded to 6 digits, the dataset position), plus {@code -pPASS} from the second pass
 * on with --loop. The prefix is the dataset's file or folder name, so replaying the same dataset
 * twice yields the same ids.
 */
public final class Replayer implements AutoCloseable {
  private final KafkaProducer<String, ImageEvent> producer;
  private final String topic;
  private final Deliveries deliveries = new Deliveries();

  public Replayer(
      String bootstrapServers, RegistryClient registry, String topic, Map<String, String> extra) {
    this(withBootstrap(extra, bootstrapServers), registry, topic);
  }

  /**
   * @param producerSettings the Kafka producer's settings (bootstrap, security, ...); acks=all,
   *     idempotence and a 5 ms linger unless they say otherwise
   */
  public Replayer(Map<String, ?> producerSettings, RegistryClient registry, String topic) {
    Map<String, Object> props = new HashMap<>(producerSettings);
    props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    this.producer =
        new KafkaProducer<>(props, new StringSerializer(), new AvroSerializer<>(registry, false));
    this.topic = topic;
  }

  private static Map<String, Object> withBootstrap(
      Map<String, String> extra, String bootstrapServers) {
    Map<String, Object> props = new HashMap<>(extra);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }

  /** The id prefix of a dataset spec: its last path element, lower-case, safe characters only. */
  public static String idPrefix(String spec) {
    String rest = spec.contains(":") ? spec.substring(spec.indexOf(':') + 1) : spec;
    String first = rest.split(",")[0].replaceAll("/+$", "");
    String name =
        first.substring(first.lastIndexOf('/') + 1).replaceAll("\\.(gz|bin|idx\\d?-ubyte)$", "");
    String safe = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
    return safe.isEmpty() ? "img" : safe;
  }

  public static String idOf(String prefix, int index, long pass) {
    return String.format(Locale.ROOT, "%s-%06d", prefix, index) + (pass > 0 ? "-p" + pass : "");
  }

  /**
   * Sends images; returns how many, every one acknowledged by the broker.
   *
   * @param rate images per second, 0 = as fast as possible
   * @param loop start again at the first image after the last
   * @param limit stop after this many (0 = no limit; without loop, at most the dataset)
   * @param progress told the count after each send
   * @throws DeliveryFailedException when the broker did not accept some images (sending stops once
   *     a failure is known, e.g. a missing topic or an unreachable broker)
   */
  public long replay(
      ImageDataset data,
      ImageEncoding encoding,
      double rate,
      boolean loop,
      long limit,
      LongConsumer progress)
      throws InterruptedException {
    return replay(data, ReplayOrder.DATASET.indices(data), encoding, rate, loop, limit, progress);
  }

  /**
   * As {@link #replay(ImageDataset, ImageEncoding, double, boolean, long, LongConsumer)}, sending
   * the images in the given order; ids stay the images' dataset positions.
   */
  public long replay(
      ImageDataset data,
      int[] order,
      ImageEncoding encoding,
      double rate,
      boolean loop,
      long limit,
      LongConsumer progress)
      throws InterruptedException {
    String prefix = idPrefix(data.spec());
    long sent = 0;
    long start = System.nanoTime();
    for (long pass = 0; ; pass++) {
      for (int i : order) {
        if (limit > 0 && sent >= limit) return finish(sent);
        if (Thread.currentThread().isInterrupted()) throw new InterruptedException();
        if (deliveries.failed() > 0) return finish(sent); // the broker refuses: stop, report
        if (rate > 0) {
          long due = start + (long) (sent * 1e9 / rate);
          long wait = due - System.nanoTime();
          if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        LabeledImage li = data.get(i);
        String id = idOf(prefix, i, pass);
        ImageEvent event =
            ImageEvents.of(id, li.image(), li.label(), encoding, data.spec(), Instant.now());
        try {
          producer.send(new ProducerRecord<>(topic, id, event), deliveries.callback());
        } catch (KafkaException e) {
          if (e instanceof SerializationException) throw e; // the registry's error, already clear
          deliveries.failedNow(e);
          return finish(sent + 1);
        }
        sent++;
        progress.accept(sent);
      }
      if (!loop) return finish(sent);
    }
  }

  private long finish(long sent) {
    producer.flush();
    deliveries.check("images to topic '" + topic + "'");
    return sent;
  }

  /** Sends one ready-made record (tests, the benchmark) and waits for the broker's ack. */
  public void sendNow(String key, ImageEvent event) {
    try {
      producer.send(new ProducerRecord<>(topic, key, event)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot send to " + topic + ": " + e.getCause().getMessage(), e);
    }
  }

  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}
