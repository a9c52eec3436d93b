package dev.smoothguard.smoothing.engine;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.smoothguard.smoothing.data.Image;
import dev.smoothguard.smoothing.onnx.GraphBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A two-class linear classifier with a known smoothed classifier: logits [0, w·x - b], so class 1
 * wins iff w·x > b and under N(0, sigma²I) noise P(class 1) = Φ(d/sigma) with d = (w·x - b)/‖w‖.
 * Its exact certified radius is |d|.
 */
record LinearModel(float[] w, float b, int channels, int height, int width) {
  static final int SIDE = 4;

  /** A fixed direction over a 1x4x4 image. */
  static LinearModel standard() {
    float[] w = new float[SIDE * SIDE];
    for (int i = 0; i < w.length; i++) w[i] = (i % 3 == 0 ? 1f : -0.5f) + i / 32f;
    return new LinearModel(w, 0.1f, 1, SIDE, SIDE);
  }

  double norm() {
    double s = 0;
    for (float v : w) s += v * v;
    return Math.sqrt(s);
  }

  /** Signed distance from the decision boundary. */
  double distance(Image x) {
    double dot = 0;
    for (int i = 0; i < w.length; i++) dot += w[i] * x.pixels()[i];
    return (dot - b) / norm();
  }

  /** An image at signed distance d: base point on the boundary plus d along w/‖w‖. */
  Image imageAt(double d) {
    double n = norm();
    float[] px = new float[w.length];
    // base = b·w/‖w‖² lies on the boundary; moving d along the unit normal gives distance d
    for (int i = 0; i < w.length; i++) px[i] = (float) ((b / (n * n) + d / n) * w[i]);
    return new Image(channels, height, width, px);
  }

  Path write(Path file) throws IOException {
    return write(file, 17);
  }

  Path write(Path file, long opset) throws IOException {
    GraphBuilder g = new GraphBuilder("linear", opset);
    String x =
        g.flatten(g.input("x", DataType.FLOAT, "N", (long) channels, (long) height, (long) width));
    float[] weights = new float[2 * w.length];
    System.arraycopy(w, 0, weights, w.length, w.length);
    String logits = g.dense(x, weights, new float[] {0, -b}, w.length, 2);
    g.addNode("Identity", List.of(logits), List.of("logits"));
    g.output("logits", DataType.FLOAT, "N", 2L);
    Files.write(file, g.model("test").toByteArray());
    return file;
  }
}
