package dev.smoothguard.auditor.cli;

import dev.smoothguard.auditor.config.AuditorConfig;
import dev.smoothguard.auditor.config.KafkaClientSettings;
import dev.smoothguard.auditor.replay.ReplayOrder;
import dev.smoothguard.auditor.replay.Replayer;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.serde.RegistryResponseException;
import dev.smoothguard.schemas.serde.RegistryUnavailableException;
import dev.smoothguard.schemas.serde.SchemaNotRegisteredException;
import dev.smoothguard.schemas.v1.ImageEncoding;
import dev.smoothguard.smoothing.cli.common.InstallationPaths;
import dev.smoothguard.smoothing.data.Datasets;
import dev.smoothguard.smoothing.data.ImageDataset;
import dev.smoothguard.smoothing.errors.UserError;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Produce a dataset's images as ImageEvents (deterministic ids PREFIX-INDEX, labels included).",
      "Registry and Kafka settings as for audit: --config FILE and SMOOTHGUARD_* variables (registry.*, kafka.*); "
          + "the flags win. Exits non-zero when the broker did not accept every image."
    })
final class ReplayCommand implements Callable<Integer> {
  @Option(
      names = "--data",
      required = true,
      paramLabel = "SPEC",
      description = "folder:DIR, idx:IMAGES[,LABELS] or cifar:FILE[,FILE...]")
  String data;

  @Mixin ClientOptions client;

  @Option(
      names = "--topic",
      paramLabel = "TOPIC",
      description = "default: topic.images of the config (images)")
  String topic;

  @Option(
      names = "--rate",
      defaultValue = "0",
      paramLabel = "R",
      description = "images per second (0 = as fast as possible)")
  double rate;

  @Option(names = "--loop", description = "start again after the last image (ids get -pPASS)")
  boolean loop;

  @Option(
      names = "--limit",
      defaultValue = "0",
      paramLabel = "N",
      description = "stop after N images (0 = no limit)")
  long limit;

  @Option(
      names = "--encoding",
      defaultValue = "PNG",
      description = "PNG or RAW_U8 (default: ${DEFAULT-VALUE})")
  ImageEncoding encoding;

  @Option(
      names = "--order",
      defaultValue = "DATASET",
      description =
          "DATASET (dataset order) or INTERLEAVED (one image of each class in turn); ids are dataset positions either way (default: ${DEFAULT-VALUE})")
  ReplayOrder order;

  @Override
  public Integer call() throws Exception {
    if (rate < 0) throw new UserError("--rate must be >= 0, got " + rate);
    if (limit < 0) throw new UserError("--limit must be >= 0, got " + limit);
    if (encoding != ImageEncoding.PNG && encoding != ImageEncoding.RAW_U8) {
      throw new UserError("--encoding must be PNG or RAW_U8");
    }
    AuditorConfig config = client.load();
    ImageDataset dataset = Datasets.open(InstallationPaths.resolveDataSpec(data));
    long total = limit > 0 ? limit : (loop ? -1 : dataset.size());
    String target = topic != null ? topic : config.topics().images();
    RegistryClient registry = new RegistryClient(config.registry());
    try (Replayer replayer = newReplayer(config, registry, target);
        ProgressBar bar =
            new ProgressBarBuilder()
                .setTaskName("replay " + target)
                .setInitialMax(total)
                .setUnit(" img", 1)
                .continuousUpdate()
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build()) {
      long sent =
          replayer.replay(
              dataset, order.indices(dataset), encoding, rate, loop, limit, bar::stepTo);
      bar.stepTo(sent);
    } catch (RegistryUnavailableException
        | RegistryResponseException
        | SchemaNotRegisteredException e) {
      // unreachable, refusing our credentials, or refusing the contract (incompatible, not
      // registered)
      throw new UserError("schema registry " + config.registryUrl() + ": " + e.getMessage(), e);
    }
    return 0;
  }

  private static Replayer newReplayer(
      AuditorConfig config, RegistryClient registry, String target) {
    try {
      return new Replayer(KafkaClientSettings.producer(config.kafka()), registry, target);
    } catch (ConfigException e) {
      throw new UserError(
          "producer settings (kafka.*, --bootstrap-servers, -X): " + e.getMessage(), e);
    }
  }
}
