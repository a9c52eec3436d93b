package dev.smoothguard.demo;

import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.replay.ReplayOrder;
import dev.smoothguard.auditor.replay.Replayer;
import dev.smoothguard.auditor.results.CertifiedAccuracyTable;
import dev.smoothguard.auditor.results.ResultsReader;
import dev.smoothguard.auditor.stream.AuditService;
import dev.smoothguard.devstack.BrokerStartException;
import dev.smoothguard.devstack.EmbeddedStack;
import dev.smoothguard.devstack.RegistryStartException;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.ImageEncoding;
import dev.smoothguard.smoothing.data.Datasets;
import dev.smoothguard.smoothing.data.ImageDataset;
import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.smoothing.model.ModelCard;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/smoothguard demo}: a KRaft broker and a schema registry, the auditor on a model, the
 * sample images replayed into it, a live table of results and a certified-accuracy summary. Stops
 * everything it started, on --count results or on Ctrl-C.
 */
public final class Demo {
  private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
  public static final List<Double> RADII = List.of(0.0, 0.25, 0.5, 0.75, 1.0);

  /** The noise level of a model without a card. */
  static final double DEFAULT_SIGMA = 0.25;

  /**
   * @param count stop after this many results (0: replay the data once and run until Ctrl-C)
   * @param model ONNX path or builtin:NAME
   * @param data dataset spec replayed
   * @param n Monte Carlo samples per image
   * @param sigma noise level when the model card has none (empty: the card's)
   */
  public record Options(
      int count,
      String model,
      String data,
      int brokerPort,
      int registryPort,
      int n,
      int n0,
      OptionalDouble sigma,
      int streamThreads,
      Path tempRoot) {
    /** With the system temp folder for the broker's logs and the streams' state. */
    public Options(
        int count,
        String model,
        String data,
        int brokerPort,
        int registryPort,
        int n,
        int n0,
        OptionalDouble sigma,
        int streamThreads) {
      this(count, model, data, brokerPort, registryPort, n, n0, sigma, streamThreads, null);
    }
  }

  private Demo() {}

  public static int run(Options o, PrintStream out, AtomicBoolean stop) throws Exception {
    try (ModelSource model = ModelSource.resolve(o.model(), o.tempRoot())) {
      if (!Files.isRegularFile(model.path())) {
        throw new UserError(
            "model "
                + model.path()
                + " not found; pass --model FILE.onnx "
                + "(or --model builtin:mnist-cnn for an untrained stand-in)");
      }
      ImageDataset data = Datasets.open(o.data());
      out.println("starting a KRaft broker and a schema registry ...");
      try (EmbeddedStack stack = startStack(o.brokerPort(), o.registryPort(), o.tempRoot())) {
        out.println("Kafka bootstrap servers: " + stack.bootstrapServers());
        out.println("schema registry URL:     " + stack.registryUrl());
        out.println("topics: images -> certified-predictions, audit-dlq, robustness-summary");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("kafka.bootstrap.servers", stack.bootstrapServers());
        props.put("registry.url", stack.registryUrl());
        props.put("application.id", "smoothguard-demo");
        props.put("model.path", model.path().toString());
        props.put("n", Integer.toString(o.n()));
        props.put("n0", Integer.toString(o.n0()));
        props.put("http.port", "0");
        props.put("summary.window", "PT10S");
        props.put("summary.grace", "PT0S");
        props.put("kafka.state.dir", stack.newStateDir().toString());
        props.put("kafka.num.stream.threads", Integer.toString(o.streamThreads()));
        props.put("kafka.max.poll.records", "2");
        sigma(o, model.path()).ifPresent(s -> props.put("sigma", Double.toString(s)));
        AuditorConfig config = AuditorConfig.from(props, Map.of());
        try (AuditService service = AuditService.start(config)) {
          out.printf(
              "auditor: model %s (%s) on %s, n=%d, /metrics on http://localhost:%d/metrics%n",
              service.certifier().modelRef().getName(),
              service.certifier().modelRef().getVersion(),
              service.certifier().device(),
              o.n(),
              service.httpPort());
          return stream(o, out, stop, stack, data, config);
        }
      }
    }
  }

  /**
   * The dev stack; a port that is taken or a registry runner that is not built is the user's to fix
   * (the message says how), so it is a {@link UserError} here, where the ports were chosen.
   */
  static EmbeddedStack startStack(int brokerPort, int registryPort, Path tempRoot) {
    try {
      return EmbeddedStack.start(brokerPort, registryPort, tempRoot);
    } catch (RegistryStartException | BrokerStartException e) {
      throw new UserError(e.getMessage(), e);
    }
  }

  /**
   * The noise level: --sigma, else the model card's; a model without a card (builtin:, or a bare
   * ONNX file) still demos, at {@link #DEFAULT_SIGMA}.
   */
  static OptionalDouble sigma(Options o, Path model) {
    if (o.sigma().isPresent()) return o.sigma();
    boolean cardHasSigma =
        ModelCard.findFor(model).map(ModelCard::sigma).filter(s -> s > 0).isPresent();
    return cardHasSigma ? OptionalDouble.empty() : OptionalDouble.of(DEFAULT_SIGMA);
  }

  private static int stream(
      Options o,
      PrintStream out,
      AtomicBoolean stop,
      EmbeddedStack stack,
      ImageDataset data,
      AuditorConfig config)
      throws Exception {
    RegistryClient registry = new RegistryClient(RegistryConfig.of(stack.registryUrl()));
    List<CertifiedPrediction> results = new ArrayList<>();
    List<AuditFailure> failures = new ArrayList<>();
    CountDownLatch replayDone = new CountDownLatch(1);
    Thread replay =
        new Thread(
            () -> {
              try (Replayer r =
                  new Replayer(
                      stack.bootstrapServers(), registry, config.topics().images(), Map.of())) {
                r.replay(
                    data,
                    ReplayOrder.INTERLEAVED.indices(data),
                    ImageEncoding.PNG,
                    0,
                    o.count() > data.size(),
                    o.count(),
                    sent -> {});
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                LOG.error("replay failed: {}", e.toString());
              } finally {
                replayDone.countDown();
              }
            },
            "demo-replay");
    replay.setDaemon(true);
    replay.start();
    long start = System.nanoTime();
    out.printf(
        "%n%-26s %5s %10s %-12s %7s %8s %9s%n",
        "id", "label", "prediction", "class", "radius", "samples", "latency");
    try (ResultsReader reader =
        new ResultsReader(
            stack.bootstrapServers(),
            registry,
            config.topics().predictions(),
            config.topics().dlq())) {
      while (!stop.get() && (o.count() == 0 || results.size() + failures.size() < o.count())) {
        ResultsReader.Batch b = reader.poll(Duration.ofMillis(200));
        for (CertifiedPrediction p : b.predictions()) {
          results.add(p);
          out.printf(
              Locale.ROOT,
              "%-26s %5s %10s %-12s %7.3f %8d %7.0fms%n",
              p.getImageId(),
              p.getLabel() == null ? "-" : p.getLabel().toString(),
              p.getAbstained() ? "abstain" : Integer.toString(p.getPredictedClass()),
              p.getClassName() == null ? "" : abbreviate(p.getClassName(), 12),
              p.getRadius(),
              p.getSamplesUsed(),
              p.getLatencyMs());
        }
        for (AuditFailure f : b.failures()) {
          failures.add(f);
          out.printf("%-26s dead-lettered: %s %s%n", f.getImageId(), f.getReason(), f.getMessage());
        }
      }
    } finally {
      replay.interrupt();
      replayDone.await();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    CertifiedAccuracyTable.print(out, results, RADII);
    out.printf(
        Locale.ROOT,
        "%d results in %.1f s (%.2f images/s), %d dead-lettered%n",
        results.size(),
        seconds,
        results.size() / seconds,
        failures.size());
    return 0;
  }

  private static String abbreviate(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "~";
  }
}
