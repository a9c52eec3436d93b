package dev.smoothguard.smoothing.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The provenance of a model, stored as {@code NAME.json} beside {@code NAME.onnx}: what it is,
 * which data and which commands produced it, and how well it certifies.
 *
 * @param name short model name, e.g. "fashion-mnist-dmae-s025"
 * @param version model version
 * @param dataset the dataset spec or description it was trained on
 * @param classNames class names in label order
 * @param inputShape [C, H, W]
 * @param sigma the noise level it was fine-tuned for
 * @param config the named architecture configuration (e.g. "tiny")
 * @param epochs epochs per training stage, e.g. {"pretrain": 20, "finetune": 10}
 * @param training the exact commands that produced it, with their wall times
 * @param onnxSha256 sha256 of the ONNX file, hex
 * @param certification certified accuracy and the protocol that measured it, when known
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelCard(
    String name,
    String version,
    String dataset,
    List<String> classNames,
    List<Integer> inputShape,
    double sigma,
    String config,
    java.util.Map<String, Integer> epochs,
    List<TrainingStep> training,
    String onnxSha256,
    Certification certification) {

  /** One command that contributed to the model, e.g. a pre-training or fine-tuning run. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record TrainingStep(String command, double wallSeconds) {}

  /**
   * Certified accuracy at fixed radii and the protocol used: n0, n, alpha and which images
   * (dataset spec, skip, max).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Certification(
      String images, int n0, int n, double alpha, java.util.Map<String, Double> accuracyAtRadius) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The card path for a model: {@code models/x.onnx -> models/x.json}. */
  public static Path cardPathFor(Path onnxModel) {
    String file = onnxModel.getFileName().toString();
    String stem = file.endsWith(".onnx") ? file.substring(0, file.length() - 5) : file;
    return onnxModel.resolveSibling(stem + ".json");
  }

  /** Reads the card beside a model, if there is one. */
  public static Optional<ModelCard> findFor(Path onnxModel) {
    Path card = cardPathFor(onnxModel);
    return Files.isRegularFile(card) ? Optional.of(read(card)) : Optional.empty();
  }

  public static ModelCard read(Path card) {
    try {
      return JSON.readValue(card.toFile(), ModelCard.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model card " + card + ": " + e.getMessage(), e);
    }
  }

  public void write(Path card) throws IOException {
    JSON.writeValue(card.toFile(), this);
  }
}
