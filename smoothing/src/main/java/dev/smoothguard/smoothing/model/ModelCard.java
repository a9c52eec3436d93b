package dev.smoothguard.smoothing.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * @param source for a model imported from another framework's checkpoint: that file, its sha256 and
 *     what the import inferred and was told (null for the project's own models)
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
    Map<String, Integer> epochs,
    List<TrainingStep> training,
    String onnxSha256,
    Certification certification,
    Source source) {

  /** A card without an import source (the project's own trained models). */
  public ModelCard(
      String name,
      String version,
      String dataset,
      List<String> classNames,
      List<Integer> inputShape,
      double sigma,
      String config,
      Map<String, Integer> epochs,
      List<TrainingStep> training,
      String onnxSha256,
      Certification certification) {
    this(
        name,
        version,
        dataset,
        classNames,
        inputShape,
        sigma,
        config,
        epochs,
        training,
        onnxSha256,
        certification,
        null);
  }

  /**
   * The sigma the model was fine-tuned for, the default of every command that smooths it; empty
   * when the card does not say (a card without the field reads as 0).
   */
  @JsonIgnore
  public Optional<Double> fineTunedSigma() {
    return sigma > 0 ? Optional.of(sigma) : Optional.empty();
  }

  /** One command that contributed to the model, e.g. a pre-training or fine-tuning run. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record TrainingStep(String command, double wallSeconds) {}

  /**
   * Certified accuracy at fixed radii and the protocol used: n0, n, alpha and which images (dataset
   * spec, skip, max).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Certification(
      String images, int n0, int n, double alpha, Map<String, Double> accuracyAtRadius) {}

  /**
   * The checkpoint an imported model was converted from.
   *
   * @param file the checkpoint's file name as given
   * @param sha256 hex sha256 of that file
   * @param format e.g. "torch.save zip" or "safetensors"
   * @param stateKey where in the checkpoint the weights were (null: the top level)
   * @param architecture what was inferred from the tensor names and shapes
   * @param preprocessing what the graph does before the network (resize, normalisation)
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Source(
      String file,
      String sha256,
      String format,
      String stateKey,
      Map<String, Object> architecture,
      Map<String, Object> preprocessing) {}

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
