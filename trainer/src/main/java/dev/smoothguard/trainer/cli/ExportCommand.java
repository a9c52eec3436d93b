package dev.smoothguard.trainer.cli;

import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.smoothing.model.ModelCard;
import dev.smoothguard.smoothing.onnx.Interpolation;
import dev.smoothguard.trainer.export.CertificationTable;
import dev.smoothguard.trainer.export.Exporter;
import dev.smoothguard.trainer.export.VitWeights.Pooling;
import dev.smoothguard.trainer.pytorch.PytorchImport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Write a fine-tuned checkpoint as ONNX ([N,C,H,W] in [0,1] -> logits [N,K]) plus its model card NAME.json:",
      "either the trainer's own (--checkpoint DIR) or a timm-named PyTorch ViT (--from-pytorch FILE.pth|.safetensors)."
    })
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--checkpoint", description = "the trainer's fine-tuning checkpoint directory")
  Path checkpoint;

  @Option(
      names = "--from-pytorch",
      paramLabel = "CKPT",
      description =
          "a PyTorch ViT classifier in timm's naming: torch.save zip (.pth/.pt) or .safetensors; "
              + "read as data only (pickled code is refused)")
  Path fromPytorch;

  @Option(
      names = "--out",
      required = true,
      description = "NAME.onnx; the card goes to NAME.json beside it")
  Path out;

  @Option(
      names = "--name",
      description = "model name for the card (default: file name without .onnx)")
  String name;

  // not --version: that is the standard "print version" flag, and the clash hid --help
  @Option(
      names = "--model-version",
      defaultValue = "1",
      description = "model version for the card (default ${DEFAULT-VALUE})")
  String version;

  @Option(
      names = "--dataset",
      description = "dataset description for the card (default: the training spec)")
  String dataset;

  @Option(
      names = "--certification",
      description = "certify TSV whose certified accuracy goes into the card")
  Path certification;

  @Option(
      names = "--cert-images",
      defaultValue = "unspecified",
      description = "which images the TSV certified, e.g. 'folder:data/fashion-mnist-sample'")
  String certImages;

  @Option(names = "--cert-n0", defaultValue = "100")
  int n0;

  @Option(names = "--cert-n", defaultValue = "100000")
  int n;

  @Option(names = "--cert-alpha", defaultValue = "0.001")
  double alpha;

  // ---- --from-pytorch only ----
  @Option(
      names = "--heads",
      paramLabel = "H",
      description =
          "attention heads (not recorded in the weights' shapes); required with --from-pytorch")
  Integer heads;

  @Option(
      names = "--state-key",
      paramLabel = "KEY",
      description =
          "where the state dict is in the checkpoint, e.g. model (MAE/DMAE) or state_dict; nested dicts joined by dots (default: the top level)")
  String stateKey;

  @Option(
      names = "--input-size",
      paramLabel = "S",
      description = "side of the images the graph takes (default: the ViT's own, from pos_embed)")
  Integer inputSize;

  @Option(
      names = "--resize-to",
      paramLabel = "R",
      description = "side the ViT takes; checked against pos_embed (default: inferred)")
  Integer resizeTo;

  @Option(
      names = "--resize-mode",
      defaultValue = "bicubic",
      paramLabel = "bicubic|bilinear",
      description =
          "how S is resized to R inside the graph, as PyTorch's F.interpolate(align_corners=False) (default: ${DEFAULT-VALUE})")
  String resizeMode;

  @Option(
      names = "--mean",
      paramLabel = "a,b,c",
      description =
          "per-channel mean subtracted after the resize, or 'none' (default: ImageNet's for 3 channels)")
  String mean;

  @Option(
      names = "--std",
      paramLabel = "a,b,c",
      description = "per-channel std divided by (default: ImageNet's for 3 channels)")
  String std;

  @Option(
      names = "--pool",
      paramLabel = "token|mean",
      description =
          "what the head sees (default: inferred: mean of the patch tokens when fc_norm exists and norm doesn't, else the class token)")
  String pool;

  @Option(
      names = "--layer-norm-eps",
      defaultValue = "1e-6",
      description = "LayerNorm epsilon (timm and MAE: ${DEFAULT-VALUE})")
  float layerNormEps;

  @Option(
      names = "--class-names",
      paramLabel = "NAMES",
      split = ",",
      description = "class names in label order, comma-separated")
  List<String> classNames;

  @Option(
      names = "--class-names-file",
      paramLabel = "FILE",
      description =
          "class names in label order, one per line (for names with commas, e.g. ImageNet's)")
  Path classNamesFile;

  @Option(
      names = "--sigma",
      defaultValue = "0",
      description =
          "noise level the model was fine-tuned for, for the card (default: ${DEFAULT-VALUE} = unknown)")
  double sigma;

  @Override
  public Integer call() throws Exception {
    if (!out.getFileName().toString().endsWith(".onnx")) {
      throw new UserError("--out must end in .onnx, got " + out);
    }
    if ((checkpoint == null) == (fromPytorch == null)) {
      throw new UserError(
          "give exactly one of --checkpoint DIR (the trainer's own) or --from-pytorch FILE");
    }
    String model = name != null ? name : out.getFileName().toString().replaceFirst("\\.onnx$", "");
    if (checkpoint != null) {
      List<String> importOnly = importOnlyOptionsGiven();
      if (!importOnly.isEmpty())
        throw new UserError(importOnly + " only apply with --from-pytorch");
      ModelCard card =
          Exporter.export(
              checkpoint,
              out,
              model,
              version,
              dataset,
              certification == null
                  ? null
                  : new Exporter.CertificationSource(certification, certImages, n0, n, alpha));
      report(card);
      return 0;
    }
    return importPytorch(model);
  }

  private int importPytorch(String model) throws Exception {
    if (heads == null)
      throw new UserError("--from-pytorch needs --heads (e.g. 12 for ViT-B, 16 for ViT-L)");
    Checks.positive("--heads", heads);
    if (inputSize != null) Checks.positive("--input-size", inputSize);
    if (resizeTo != null) Checks.positive("--resize-to", resizeTo);
    if (!(layerNormEps > 0))
      throw new UserError("--layer-norm-eps must be positive, got " + layerNormEps);
    if (sigma < 0) throw new UserError("--sigma must be >= 0, got " + sigma);
    boolean none = "none".equalsIgnoreCase(mean) || "none".equalsIgnoreCase(std);
    if (none && !("none".equalsIgnoreCase(mean) && (std == null || "none".equalsIgnoreCase(std)))) {
      throw new UserError(
          "--mean none means no normalisation: leave out --std or make it none too");
    }
    PytorchImport.Request request =
        new PytorchImport.Request(
            fromPytorch,
            stateKey,
            heads,
            inputSize,
            resizeTo,
            Interpolation.parse(resizeMode),
            none ? null : floats("--mean", mean),
            none ? null : floats("--std", std),
            !none,
            pooling(pool),
            layerNormEps);
    ModelCard.Certification cert = null;
    if (certification != null) {
      CertificationTable.Table table = CertificationTable.read(certification);
      cert =
          new ModelCard.Certification(
              certImages + " (" + table.images() + " images)",
              n0,
              n,
              alpha,
              table.accuracyAtRadius());
    }
    PytorchImport.CardFields fields =
        new PytorchImport.CardFields(
            model, version, dataset, classNames(), sigma, TrainerCli.invocation(spec), cert);
    ModelCard card = PytorchImport.export(request, fields, out);
    ModelCard.Source src = card.source();
    System.out.printf("imported %s (%s, sha256 %s)%n", src.file(), src.format(), src.sha256());
    System.out.println("architecture: " + PytorchImport.summary(src.architecture()));
    System.out.println("preprocessing: " + PytorchImport.summary(src.preprocessing()));
    report(card);
    return 0;
  }

  private void report(ModelCard card) {
    System.out.printf(
        "wrote %s (sha256 %s) and %s%n", out, card.onnxSha256(), ModelCard.cardPathFor(out));
    if (card.certification() != null) {
      System.out.println("certified accuracy: " + card.certification().accuracyAtRadius());
    }
  }

  private List<String> importOnlyOptionsGiven() {
    List<String> given = new ArrayList<>();
    for (String option :
        List.of(
            "--heads",
            "--state-key",
            "--input-size",
            "--resize-to",
            "--resize-mode",
            "--mean",
            "--std",
            "--pool",
            "--layer-norm-eps",
            "--class-names",
            "--class-names-file",
            "--sigma")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(option)) given.add(option);
    }
    return given;
  }

  private List<String> classNames() throws IOException {
    if (classNames != null && classNamesFile != null) {
      throw new UserError("give --class-names or --class-names-file, not both");
    }
    if (classNamesFile != null) {
      return Files.readAllLines(classNamesFile).stream()
          .map(String::strip)
          .filter(l -> !l.isEmpty())
          .toList();
    }
    return classNames == null ? null : List.copyOf(classNames);
  }

  private static Pooling pooling(String pool) {
    if (pool == null) return null;
    return switch (pool.toLowerCase(Locale.ROOT)) {
      case "token", "cls" -> Pooling.CLASS_TOKEN;
      case "mean", "avg" -> Pooling.MEAN_OF_PATCHES;
      default -> throw new UserError("--pool must be token or mean, got '" + pool + "'");
    };
  }

  private static float[] floats(String flag, String csv) {
    if (csv == null) return null;
    String[] parts = csv.split(",");
    float[] v = new float[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        v[i] = Float.parseFloat(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new UserError(flag + " takes comma-separated numbers, got '" + csv + "'");
      }
    }
    return v;
  }
}
