package dev.smoothguard.smoothing.cli;

import dev.smoothguard.smoothing.data.Datasets;
import dev.smoothguard.smoothing.data.ImageDataset;
import dev.smoothguard.smoothing.data.LabeledImage;
import dev.smoothguard.smoothing.engine.Certificate;
import dev.smoothguard.smoothing.engine.Mode;
import dev.smoothguard.smoothing.engine.SmoothingEngine;
import dev.smoothguard.smoothing.engine.SmoothingSettings;
import dev.smoothguard.smoothing.report.ResultRow;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Runs the engine over a dataset, writing one TSV row per image as soon as it is done and a
 * progress bar (images, ETA, samples/s) on stderr.
 */
final class DatasetRunner {
  /** What the run produced. */
  record Run(List<ResultRow> rows, List<Certificate> certificates, double wallSeconds) {
    long samples() {
      return certificates.stream().mapToLong(Certificate::samplesUsed).sum();
    }
  }

  private DatasetRunner() {}

  static Run run(
      SmoothingEngine engine,
      DatasetOptions data,
      SmoothingSettings settings,
      Path out,
      String header,
      Function<ResultRow, String> line,
      PrintStream stdout)
      throws IOException {
    ImageDataset ds = Datasets.open(data.data);
    int[] indices = data.indices(ds);
    List<ResultRow> rows = new ArrayList<>();
    List<Certificate> certs = new ArrayList<>();
    long start = System.nanoTime();
    PrintWriter tsv =
        out == null ? new PrintWriter(stdout, true) : new PrintWriter(Files.newBufferedWriter(out));
    try (ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(settings.mode().name().toLowerCase())
            .setInitialMax(indices.length)
            .setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(500)
            .setConsumer(new ConsoleProgressBarConsumer(System.err))
            .setUnit(" img", 1)
            .build()) {
      tsv.println(header);
      long samples = 0;
      for (int idx : indices) {
        LabeledImage li = ds.get(idx);
        Certificate c = engine.run(li.image(), settings);
        ResultRow row =
            new ResultRow(
                idx,
                li.label(),
                c.predictedClass(),
                c.radius(),
                c.predictedClass() == li.label() && !c.abstained(),
                c.millis() / 1000);
        rows.add(row);
        certs.add(c);
        tsv.println(line.apply(row));
        tsv.flush();
        samples += c.samplesUsed();
        double secs = (System.nanoTime() - start) / 1e9;
        bar.setExtraMessage(
            String.format(" %,.0f samples/s on %s", samples / secs, engine.device()));
        bar.step();
      }
    } finally {
      if (out != null) tsv.close();
      else tsv.flush();
    }
    return new Run(rows, certs, (System.nanoTime() - start) / 1e9);
  }

  /** The first lines of every summary: what ran, where, and how fast. */
  static String summary(SmoothingEngine engine, DatasetOptions data, SmoothingSettings s, Run run) {
    var m = engine.model();
    int n = run.rows().size();
    return String.format(
        "model %s (%s, sha256 %s) on %s; data %s; sigma %s, %sn %d, alpha %s, batch %d%s%n"
            + "images %d, abstain rate %.4f, mean samples/image %,.0f, wall %.1f s, %,.0f samples/s on %s%n",
        m.name(),
        m.version(),
        m.sha256().substring(0, 12),
        engine.device(),
        data.data,
        s.sigma(),
        s.mode() == Mode.PREDICT ? "" : "n0 " + s.n0() + ", ", // PREDICT has no selection step
        s.n(),
        s.alpha(),
        s.batch(),
        s.seed().isPresent() ? ", seed " + s.seed().getAsLong() : "",
        n,
        run.rows().stream().filter(r -> r.predict() < 0).count() / (double) Math.max(1, n),
        run.samples() / (double) Math.max(1, n),
        run.wallSeconds(),
        run.samples() / Math.max(1e-9, run.wallSeconds()),
        engine.device());
  }
}
