package dev.smoothguard.demo.cli;

import dev.smoothguard.demo.Demo;
import dev.smoothguard.smoothing.cli.common.InstallationPaths;
import dev.smoothguard.smoothing.cli.common.SamplingDefaults;
import dev.smoothguard.smoothing.cli.common.SelectionOptions;
import dev.smoothguard.smoothing.errors.UserError;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Embedded KRaft broker + schema registry + the auditor on the shipped model; replays the sample images,",
      "prints each result as it arrives and the certified accuracy at the end. Stops everything it started."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--count",
      defaultValue = "0",
      paramLabel = "N",
      description = "exit 0 after N results (default: run until Ctrl-C)")
  int count;

  @Option(
      names = "--model",
      defaultValue = "models/fashion-mnist-dmae-s025.onnx",
      paramLabel = "M",
      description =
          "ONNX model (card NAME.json beside it), or builtin:mnist-cnn (default: ${DEFAULT-VALUE})")
  String model;

  @Option(
      names = "--data",
      defaultValue = "folder:data/fashion-mnist-sample",
      paramLabel = "SPEC",
      description = "default: ${DEFAULT-VALUE}")
  String data;

  @Option(
      names = "--broker-port",
      defaultValue = "0",
      description = "Kafka port (default: a free one)")
  int brokerPort;

  @Option(
      names = "--registry-port",
      defaultValue = "0",
      description = "registry port (default: a free one)")
  int registryPort;

  @Option(
      names = "--n",
      defaultValue = SamplingDefaults.N_DEMO,
      description =
          "Monte Carlo samples per image (default: ${DEFAULT-VALUE}, a result per second; the service default is 10000)")
  int n;

  @Mixin SelectionOptions selection = new SelectionOptions();

  @Option(names = "--sigma", description = "noise level (default: the model card's, else 0.25)")
  Double sigma;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "stream threads (default: ${DEFAULT-VALUE})")
  int threads;

  @Override
  public Integer call() throws Exception {
    if (count < 0) throw new UserError("--count must be >= 0, got " + count);
    // the demo prints its own table; the service's start-up log would bury it
    System.setProperty(
        "org.slf4j.simpleLogger.log.dev.smoothguard.auditor.stream.AuditService", "warn");
    String spec = InstallationPaths.resolveDataSpec(data);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Thread main = Thread.currentThread();
    // Ctrl-C: stop reading, then let run() close the auditor, registry and broker before the JVM
    // exits
    Thread hook =
        new Thread(
            () -> {
              stop.set(true);
              try {
                finished.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return Demo.run(
          new Demo.Options(
              count,
              model,
              spec,
              brokerPort,
              registryPort,
              n,
              selection.n0,
              sigma == null ? OptionalDouble.empty() : OptionalDouble.of(sigma),
              threads),
          System.out,
          stop);
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it returns now that finished is counted down
      }
    }
  }
}
