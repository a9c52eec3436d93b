package dev.smoothguard.trainer.cli;

import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.smoothing.model.ModelCard;
import dev.smoothguard.trainer.export.Exporter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write a fine-tuned checkpoint as ONNX ([N,C,H,W] in [0,1] -> logits [N,K]) plus its model card NAME.json.")
final class ExportCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, description = "fine-tuning checkpoint directory")
  Path checkpoint;
  @Option(names = "--out", required = true, description = "NAME.onnx; the card goes to NAME.json beside it")
  Path out;
  @Option(names = "--name", description = "model name for the card (default: file name without .onnx)")
  String name;
  // not --version: that is the standard "print version" flag, and the clash hid --help
  @Option(names = "--model-version", defaultValue = "1", description = "model version for the card (default ${DEFAULT-VALUE})")
  String version;
  @Option(names = "--dataset", description = "dataset description for the card (default: the training spec)")
  String dataset;
  @Option(names = "--certification", description = "certify TSV whose certified accuracy goes into the card")
  Path certification;
  @Option(names = "--cert-images", defaultValue = "unspecified", description = "which images the TSV certified, e.g. 'folder:data/fashion-mnist-sample'")
  String certImages;
  @Option(names = "--cert-n0", defaultValue = "100") int n0;
  @Option(names = "--cert-n", defaultValue = "100000") int n;
  @Option(names = "--cert-alpha", defaultValue = "0.001") double alpha;

  @Override
  public Integer call() throws Exception {
    if (!out.getFileName().toString().endsWith(".onnx")) {
      throw new UserError("--out must end in .onnx, got " + out);
    }
    String model = name != null ? name : out.getFileName().toString().replaceFirst("\\.onnx$", "");
    ModelCard card = Exporter.export(checkpoint, out, model, version, dataset,
        certification == null ? null : new Exporter.CertificationSource(certification, certImages, n0, n, alpha));
    System.out.printf("wrote %s (sha256 %s) and %s%n", out, card.onnxSha256(), ModelCard.cardPathFor(out));
    if (card.certification() != null) {
      System.out.println("certified accuracy: " + card.certification().accuracyAtRadius());
    }
    return 0;
  }
}
