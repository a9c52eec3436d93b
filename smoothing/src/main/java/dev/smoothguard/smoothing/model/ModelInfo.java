package dev.smoothguard.smoothing.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * What the engine learned about a classifier when it loaded it.
 *
 * @param path the ONNX file
 * @param sha256 hex sha256 of the file, for lineage
 * @param channels C of the input [N,C,H,W]
 * @param height H (from the model, or the given size when the model's is dynamic)
 * @param width W
 * @param numClasses K of the output [N,K]
 * @param card the model card beside the file, when there is one
 */
public record ModelInfo(
    Path path,
    String sha256,
    int channels,
    int height,
    int width,
    int numClasses,
    Optional<ModelCard> card) {

  /** The card's name, else the file name without ".onnx". */
  public String name() {
    return card.map(ModelCard::name)
        .orElseGet(() -> path.getFileName().toString().replaceFirst("\\.onnx$", ""));
  }

  /** The card's version, else "unversioned". */
  public String version() {
    return card.map(ModelCard::version).orElse("unversioned");
  }

  /** Class names from the card, else "0".."K-1". */
  public List<String> classNames() {
    return card.map(ModelCard::classNames)
        .filter(names -> names != null && names.size() == numClasses)
        .orElseGet(() -> IntStream.range(0, numClasses).mapToObj(Integer::toString).toList());
  }
}
