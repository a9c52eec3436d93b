package dev.smoothguard.trainer.export;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.smoothguard.smoothing.model.ModelCard;
import dev.smoothguard.trainer.model.VitClassifier;
import dev.smoothguard.trainer.model.VitConfig;
import dev.smoothguard.trainer.train.Finetuning;
import dev.smoothguard.trainer.train.RunMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checkpoint directory → {@code NAME.onnx} + model card {@code NAME.json}. */
public final class Exporter {
  private Exporter() {}

  /** How the certification table in the card was measured (all optional). */
  public record CertificationSource(Path tsv, String images, int n0, int n, double alpha) {}

  public static ModelCard export(
      Path checkpoint,
      Path onnx,
      String name,
      String version,
      String dataset,
      CertificationSource cert)
      throws IOException {
    RunMeta meta = RunMeta.read(checkpoint);
    ModelProto proto;
    try (NDManager manager = NDManager.newBaseManager()) {
      VitClassifier model = Finetuning.load(checkpoint, meta, manager);
      proto = VitOnnx.export(model);
    }
    Path parent = onnx.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    byte[] bytes = proto.toByteArray();
    Files.write(onnx, bytes);
    VitConfig cfg = VitConfig.named(meta.config());
    Map<String, Integer> epochs = new LinkedHashMap<>();
    if (meta.upstream() != null)
      epochs.put("pretrain", (int) Math.round(meta.upstream().epochsDone()));
    epochs.put("finetune", (int) Math.round(meta.epochsDone()));
    ModelCard.Certification certification = null;
    if (cert != null && cert.tsv() != null) {
      CertificationTable.Table table = CertificationTable.read(cert.tsv());
      String images = cert.images() + " (" + table.images() + " images)";
      certification =
          new ModelCard.Certification(
              images, cert.n0(), cert.n(), cert.alpha(), table.accuracyAtRadius());
    }
    ModelCard card =
        new ModelCard(
            name,
            version,
            dataset != null ? dataset : meta.dataset(),
            meta.classNames(),
            List.of(cfg.channels(), cfg.imageSize(), cfg.imageSize()),
            meta.sigma(),
            cfg.name(),
            epochs,
            meta.lineage(),
            sha256(bytes),
            certification);
    card.write(ModelCard.cardPathFor(onnx));
    return card;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
