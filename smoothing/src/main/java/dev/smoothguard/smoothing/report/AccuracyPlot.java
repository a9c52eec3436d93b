package dev.smoothguard.smoothing.report;

import dev.smoothguard.smoothing.errors.UserError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Certified accuracy vs radius, one line per results file, drawn as a PNG with XChart. */
public final class AccuracyPlot {
  private AccuracyPlot() {}

  /** Writes the plot; {@code series} maps a label to the rows of one results file. */
  public static void write(Map<String, List<ResultRow>> series, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    double maxRadius =
        series.values().stream()
            .flatMap(List::stream)
            .mapToDouble(ResultRow::radius)
            .filter(r -> !Double.isNaN(r))
            .max()
            .orElse(0);
    double top = Math.max(0.5, Math.ceil(maxRadius * 4 + 1) / 4);
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(500)
            .title("Certified accuracy")
            .xAxisTitle("L2 radius (pixel units [0,1], as the noise saw the image)")
            .yAxisTitle("certified accuracy")
            .build();
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setXAxisMin(0.0).setXAxisMax(top);
    for (Map.Entry<String, List<ResultRow>> s : series.entrySet()) {
      if (s.getValue().stream().allMatch(r -> Double.isNaN(r.radius()))) {
        throw new UserError(s.getKey() + ": no radius column (a PREDICT file?)");
      }
      List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
      int steps = 400;
      for (int i = 0; i <= steps; i++) {
        double r = top * i / steps;
        xs.add(r);
        ys.add(CertifiedAccuracy.at(s.getValue(), r));
      }
      chart.addSeries(s.getKey(), xs, ys).setMarker(SeriesMarkers.NONE);
    }
    String name = png.toString();
    String base =
        name.toLowerCase(Locale.ROOT).endsWith(".png")
            ? name.substring(0, name.length() - 4)
            : name;
    BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
  }
}
