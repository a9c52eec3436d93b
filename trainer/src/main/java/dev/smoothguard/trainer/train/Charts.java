package dev.smoothguard.trainer.train;

import dev.smoothguard.trainer.train.RunMeta.EvalPoint;
import dev.smoothguard.trainer.train.RunMeta.LogPoint;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNGs a training run leaves in its checkpoint directory. */
final class Charts {
  private Charts() {}

  /** Training loss over epochs; training and held-out accuracy on a second axis when known. */
  static void lossCurve(Path png, String title, List<LogPoint> history, List<EvalPoint> evals)
      throws IOException {
    if (history.isEmpty()) return;
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title(title)
            .xAxisTitle("epoch")
            .yAxisTitle("loss")
            .build();
    chart.getStyler().setMarkerSize(3);
    double[] x = history.stream().mapToDouble(LogPoint::epoch).toArray();
    chart
        .addSeries("training loss", x, history.stream().mapToDouble(LogPoint::loss).toArray())
        .setMarker(SeriesMarkers.NONE);
    if (history.get(0).accuracy() != null) {
      XYSeries acc =
          chart.addSeries(
              "noisy training accuracy",
              x,
              history.stream().mapToDouble(p -> p.accuracy() == null ? 0 : p.accuracy()).toArray());
      acc.setYAxisGroup(1);
      acc.setMarker(SeriesMarkers.NONE);
      chart.setYAxisGroupTitle(1, "accuracy");
    }
    if (evals != null && !evals.isEmpty()) {
      double[] ex = evals.stream().mapToDouble(EvalPoint::epoch).toArray();
      chart
          .addSeries(
              "held-out accuracy, clean",
              ex,
              evals.stream().mapToDouble(EvalPoint::cleanAccuracy).toArray())
          .setYAxisGroup(1);
      chart
          .addSeries(
              "held-out accuracy, noisy",
              ex,
              evals.stream().mapToDouble(EvalPoint::noisyAccuracy).toArray())
          .setYAxisGroup(1);
      chart.setYAxisGroupTitle(1, "accuracy");
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /**
   * One row per sample, three greyscale/RGB panels: clean, noisy with the masked patches grey,
   * reconstruction. Pixels are clipped to [0,1] for display; each panel is scaled up 4x.
   */
  static void reconstructions(Path png, List<float[][]> rows, int channels, int size)
      throws IOException {
    int scale = 4;
    int gap = 4;
    int panel = size * scale;
    int cols = rows.isEmpty() ? 0 : rows.get(0).length;
    BufferedImage img =
        new BufferedImage(
            cols * (panel + gap) + gap,
            rows.size() * (panel + gap) + gap,
            BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < img.getHeight(); y++)
      for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, 0xFFFFFF);
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < cols; c++) {
        float[] chw = rows.get(r)[c];
        int ox = gap + c * (panel + gap);
        int oy = gap + r * (panel + gap);
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            int rgb = 0;
            for (int ch = 0; ch < 3; ch++) {
              float v = chw[((channels == 1 ? 0 : ch) * size + y) * size + x];
              int b = Math.round(255 * Math.max(0f, Math.min(1f, v)));
              rgb = (rgb << 8) | b;
            }
            for (int dy = 0; dy < scale; dy++)
              for (int dx = 0; dx < scale; dx++)
                img.setRGB(ox + x * scale + dx, oy + y * scale + dy, rgb);
          }
        }
      }
    }
    ImageIO.write(img, "png", png.toFile());
  }
}
