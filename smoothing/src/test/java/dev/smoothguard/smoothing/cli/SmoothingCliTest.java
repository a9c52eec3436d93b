package dev.smoothguard.smoothing.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.smoothing.model.ModelCard;
import dev.smoothguard.smoothing.onnx.BuiltinModels;
import dev.smoothguard.smoothing.report.ResultRow;
import dev.smoothguard.smoothing.report.ResultsTsv;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands end to end, in process, on a folder dataset and models made here. */
class SmoothingCliTest {
  @TempDir static Path dir;
  static Path model;
  static Path data;

  /** Exit code, stdout and stderr of one command line. */
  record Outcome(int code, String out, String err) {}

  static synchronized Outcome cli(String... args) {
    PrintStream oldOut = System.out, oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = SmoothingCli.run(args);
      return new Outcome(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @BeforeAll
  static void setUp() throws Exception {
    model = BuiltinModels.write("mnist-mlp", dir.resolve("mlp.onnx"));
    data = dir.resolve("data");
    for (int c = 0; c < 3; c++) {
      Path cls = Files.createDirectories(data.resolve("class" + c));
      for (int i = 0; i < 2; i++) {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
          for (int x = 0; x < 28; x++)
            img.getRaster().setSample(x, y, 0, (x * (c + 1) + y * i) % 256);
        }
        ImageIO.write(img, "png", cls.resolve(String.format("%05d.png", c * 2 + i)).toFile());
      }
    }
  }

  @Test
  void certifyWritesCohensTsvTableAndPlot() throws Exception {
    Path tsv = dir.resolve("r.tsv");
    Path png = dir.resolve("curve.png");
    Outcome o =
        cli(
            "certify",
            "--model",
            model.toString(),
            "--data",
            "folder:" + data,
            "--sigma",
            "0.25",
            "--n0",
            "20",
            "--n",
            "500",
            "--batch",
            "200",
            "--skip",
            "2",
            "--device",
            "cpu",
            "--seed",
            "1",
            "--out",
            tsv.toString(),
            "--plot",
            png.toString());
    assertEquals(0, o.code(), o.err());
    List<String> lines = Files.readAllLines(tsv);
    assertEquals("idx\tlabel\tpredict\tradius\tcorrect\ttime", lines.get(0));
    assertEquals(4, lines.size()); // images 0, 2, 4 of 6
    String[] first = lines.get(1).split("\t");
    assertEquals("0", first[0]);
    assertEquals("0", first[1]);
    assertEquals(
        List.of("2", "1"), List.of(lines.get(2).split("\t")[0], lines.get(2).split("\t")[1]));
    assertTrue(first[5].matches("\\d+:\\d\\d:\\d\\d\\.\\d{6}"), first[5]);
    for (String row : lines.subList(1, lines.size())) {
      String[] f = row.split("\t");
      boolean abstained = f[2].equals("-1");
      assertTrue(!abstained || Double.parseDouble(f[3]) == 0, row);
      assertEquals(f[2].equals(f[1]) ? "1" : "0", f[4], row);
    }
    assertTrue(o.out().contains("pixel units [0,1]"), o.out());
    assertTrue(o.out().contains("on cpu"), o.out());
    assertTrue(o.out().contains("mean samples/image 520"), o.out());
    assertTrue(o.out().lines().anyMatch(l -> l.startsWith("3.00 ")), o.out());
    byte[] magic = Arrays.copyOf(Files.readAllBytes(png), 4);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, magic);

    Path overlay = dir.resolve("overlay.png");
    Outcome p = cli("plot", tsv.toString(), tsv.toString(), "--out", overlay.toString());
    assertEquals(0, p.code(), p.err());
    assertTrue(Files.size(overlay) > 1000);
  }

  @Test
  void adaptiveModeReportsTheTarget() {
    Outcome o =
        cli(
            "certify",
            "--model",
            model.toString(),
            "--data",
            "folder:" + data,
            "--sigma",
            "0.25",
            "--n0",
            "20",
            "--n",
            "3000",
            "--target-radius",
            "0.1",
            "--max",
            "2",
            "--device",
            "cpu");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().startsWith("idx\tlabel\tpredict\tradius\tcorrect\ttime"), o.out());
    assertTrue(o.out().contains("target radius 0.1: certified"), o.out());
    assertTrue(o.out().contains("n0 20,"), o.out());
  }

  @Test
  void selectionDefaultsTo32ForTargetAnd100ForCertifyAndSeedsTakeAnyLong() {
    Outcome target =
        cli(
            "certify",
            "--model",
            model.toString(),
            "--data",
            "folder:" + data,
            "--sigma",
            "0.25",
            "--n",
            "300",
            "--target-radius",
            "0.1",
            "--max",
            "2",
            "--device",
            "cpu",
            "--seed",
            Long.toString(Long.MIN_VALUE));
    assertEquals(0, target.code(), target.err());
    assertTrue(
        target.out().contains("n0 32,") && target.out().contains("seed " + Long.MIN_VALUE),
        target.out());
    Outcome certify =
        cli(
            "certify",
            "--model",
            model.toString(),
            "--data",
            "folder:" + data,
            "--sigma",
            "0.25",
            "--n",
            "300",
            "--max",
            "2",
            "--device",
            "cpu",
            "--seed",
            "16777217");
    assertEquals(0, certify.code(), certify.err());
    assertTrue(
        certify.out().contains("n0 100,") && certify.out().contains("seed 16777217"),
        certify.out());
  }

  @Test
  void predictWritesItsTsv() throws Exception {
    Path tsv = dir.resolve("p.tsv");
    Outcome o =
        cli(
            "predict",
            "--model",
            model.toString(),
            "--data",
            "folder:" + data,
            "--sigma",
            "0.25",
            "--n",
            "300",
            "--device",
            "cpu",
            "--out",
            tsv.toString());
    assertEquals(0, o.code(), o.err());
    List<String> lines = Files.readAllLines(tsv);
    assertEquals("idx\tlabel\tpredict\tcorrect\ttime", lines.get(0));
    assertEquals(7, lines.size());
    assertTrue(o.out().contains("accuracy of the smoothed classifier"), o.out());
    // a PREDICT file has no radius to plot: a clear error, exit code 2
    Outcome plot = cli("plot", tsv.toString(), "--out", dir.resolve("x.png").toString());
    assertEquals(2, plot.code());
    assertTrue(plot.err().contains("no radius column"), plot.err());
  }

  @Test
  void sigmaDefaultsToTheModelCardsAndIsRequiredWithoutOne() throws Exception {
    Path carded = Files.copy(model, dir.resolve("carded.onnx"));
    new ModelCard(
            "carded",
            "3",
            "test",
            List.of(),
            List.of(1, 28, 28),
            0.5,
            "mlp",
            null,
            null,
            null,
            null)
        .write(dir.resolve("carded.json"));
    String[] flags = {"--data", "folder:" + data, "--max", "1", "--n", "100"};
    Outcome fromCard = cli(concat(new String[] {"certify", "--model", carded.toString()}, flags));
    assertEquals(0, fromCard.code(), fromCard.err());
    assertTrue(fromCard.out().contains("sigma 0.5,"), fromCard.out());
    Outcome flag =
        cli(
            concat(
                new String[] {"predict", "--model", carded.toString(), "--sigma", "0.125"}, flags));
    assertEquals(0, flag.code(), flag.err());
    assertTrue(flag.out().contains("sigma 0.125,"), flag.out()); // the flag wins over the card

    Outcome none = cli(concat(new String[] {"certify", "--model", model.toString()}, flags));
    assertEquals(2, none.code());
    assertEquals(1, none.err().strip().lines().count(), none.err());
    assertTrue(
        none.err().contains("--sigma is required: model " + model + " has no model card"),
        none.err());
    Outcome builtin = cli(concat(new String[] {"predict", "--model", "builtin:mnist-mlp"}, flags));
    assertEquals(2, builtin.code());
    assertTrue(builtin.err().contains("--sigma is required"), builtin.err());
  }

  private static String[] concat(String[] a, String[] b) {
    String[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void userErrorsExitWithCodeTwoAndOneLine() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.onnx"), "not a model");
    Outcome o =
        cli("certify", "--model", text.toString(), "--data", "folder:" + data, "--sigma", "0.25");
    assertEquals(2, o.code());
    assertEquals(1, o.err().strip().lines().count(), o.err());
    assertTrue(o.err().contains("not an ONNX model"), o.err());

    o =
        cli(
            "certify",
            "--model",
            model.toString(),
            "--data",
            "idx:" + dir.resolve("missing"),
            "--sigma",
            "0.25",
            "--device",
            "cpu");
    assertEquals(2, o.code());
    assertTrue(o.err().contains("missing: no such file"), o.err());

    o =
        cli(
            "predict",
            "--model",
            model.toString(),
            "--data",
            "folder:" + data,
            "--sigma",
            "0.25",
            "--device",
            "tpu");
    assertEquals(2, o.code());
    assertTrue(o.err().contains("device must be auto, cpu, cuda or cuda:N"), o.err());

    // the dataset's images must match the model: 3-channel CIFAR records vs a 1-channel model
    Path cifar = Files.write(dir.resolve("c.bin"), new byte[3073]);
    o =
        cli(
            "certify",
            "--model",
            model.toString(),
            "--data",
            "cifar:" + cifar,
            "--sigma",
            "0.25",
            "--device",
            "cpu",
            "--out",
            dir.resolve("c.tsv").toString());
    assertEquals(2, o.code());
    assertTrue(o.err().contains("3 channel(s)"), o.err());
  }

  @Test
  void fromStartsAtADatasetIndexAndCombinesWithSkipAndMax() throws Exception {
    // images 0..5; --from 1 --max 5 --skip 2 keeps the dataset indices 2 and 4 (the skip counts
    // from index 0), and the TSV's idx column stays the dataset index
    Path tsv = dir.resolve("from.tsv");
    Outcome o =
        cli(
            "certify",
            "--model",
            model.toString(),
            "--data",
            "folder:" + data,
            "--sigma",
            "0.25",
            "--n0",
            "10",
            "--n",
            "100",
            "--from",
            "1",
            "--max",
            "5",
            "--skip",
            "2",
            "--device",
            "cpu",
            "--seed",
            "1",
            "--out",
            tsv.toString());
    assertEquals(0, o.code(), o.err());
    List<String> lines = Files.readAllLines(tsv);
    assertEquals(
        List.of("2\t1", "4\t2"),
        lines.subList(1, lines.size()).stream()
            .map(l -> l.split("\t")[0] + "\t" + l.split("\t")[1])
            .toList());

    // without --max: from F to the end
    Outcome tail =
        cli(
            "predict",
            "--model",
            model.toString(),
            "--data",
            "folder:" + data,
            "--sigma",
            "0.25",
            "--n",
            "100",
            "--from",
            "4",
            "--device",
            "cpu");
    assertEquals(0, tail.code(), tail.err());
    assertEquals(
        List.of("4", "5"),
        tail.out()
            .lines()
            .skip(1)
            .takeWhile(l -> l.matches("\\d+\t.*"))
            .map(l -> l.split("\t")[0])
            .toList());
  }

  @Test
  void badFromIsAUserError() {
    for (String[] range :
        List.of(
            new String[] {"--from", "-1"},
            new String[] {"--from", "3", "--max", "3"},
            new String[] {"--from", "4", "--max", "2"},
            new String[] {"--from", "6"})) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "predict",
                  "--model",
                  model.toString(),
                  "--data",
                  "folder:" + data,
                  "--sigma",
                  "0.25",
                  "--n",
                  "100",
                  "--device",
                  "cpu"));
      args.addAll(List.of(range));
      Outcome o = cli(args.toArray(String[]::new));
      assertEquals(2, o.code(), String.join(" ", range) + ": " + o.err());
      assertEquals(1, o.err().strip().lines().count(), o.err());
      assertTrue(o.err().contains("--from"), o.err());
    }
  }

  @Test
  void compareTablesPairedCertifyFilesAgainstTheFirst() throws Exception {
    // a: right on idx 0..9 at radius 0.5, wrong on 10..19, plus idx 20 that b lacks;
    // b: right on 0..4 and 10..19 at 0.3, abstains on 5..9 (wrong), plus idx 21 that a lacks;
    // at r = 0: b = 5 (a only), c = 10 (b only), p = 2 * P(X <= 5), X ~ Bin(15, 1/2)
    //   = 2 * 4944 / 32768 = 0.3017578125 (sum of C(15, k) for k <= 5, by hand and Python)
    Path a = dir.resolve("cmp-a.tsv"), b = dir.resolve("cmp-b.tsv");
    List<String> la = new ArrayList<>(List.of(ResultsTsv.CERTIFY_HEADER));
    List<String> lb = new ArrayList<>(List.of(ResultsTsv.CERTIFY_HEADER));
    for (int i = 0; i < 20; i++) {
      boolean aRight = i < 10, bAbstains = i >= 5 && i < 10;
      la.add(ResultsTsv.certifyLine(new ResultRow(i, 1, aRight ? 1 : 2, 0.5, aRight, 1)));
      lb.add(
          ResultsTsv.certifyLine(
              new ResultRow(i, 1, bAbstains ? -1 : 1, bAbstains ? 0 : 0.3, !bAbstains, 1)));
    }
    la.add(ResultsTsv.certifyLine(new ResultRow(20, 1, 1, 0.5, true, 1)));
    lb.add(ResultsTsv.certifyLine(new ResultRow(21, 1, 1, 0.5, true, 1)));
    Files.write(a, la);
    Files.write(b, lb);
    Path md = dir.resolve("cmp.md"), png = dir.resolve("cmp.png");
    Outcome o =
        cli(
            "compare",
            a.toString(),
            b.toString(),
            "--radii",
            "0,0.4",
            "--out",
            md.toString(),
            "--plot",
            png.toString());
    assertEquals(0, o.code(), o.err());
    List<String> table = o.out().lines().filter(l -> l.startsWith("|")).toList();
    assertEquals(5, table.size(), o.out()); // header, alignment, two radii, ACR
    assertEquals(
        "| 0.00 | 50.0 | 75.0 | +25.0 | 5 | 10 | 0.302 |",
        table.get(2).replaceAll(" +", " "),
        o.out());
    // at 0.4 b certifies nothing: b = 10, c = 0, p = 2 / 2^10
    assertEquals(
        "| 0.40 | 50.0 | 0.0 | -50.0 | 10 | 0 | 0.00195 |",
        table.get(3).replaceAll(" +", " "),
        o.out());
    // ACR: 10 * 0.5 / 20 and 15 * 0.3 / 20
    assertEquals("| ACR | 0.250 | 0.225 | -0.025 | | | |", table.get(4).replaceAll(" +", " "));
    assertTrue(o.out().contains("20 paired images (idx 0 to 19)"), o.out());
    assertTrue(o.err().contains("cmp-a.tsv: 1 of 21 rows dropped"), o.err());
    assertTrue(o.err().contains("cmp-b.tsv: 1 of 21 rows dropped"), o.err());
    assertEquals(o.out(), Files.readString(md));
    assertArrayEquals(
        new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(Files.readAllBytes(png), 4));

    // user errors: one line, exit 2
    Path lone =
        Files.write(
            dir.resolve("cmp-c.tsv"),
            List.of(
                ResultsTsv.CERTIFY_HEADER,
                ResultsTsv.certifyLine(new ResultRow(99, 1, 1, 0.5, true, 1))));
    Path predicted = dir.resolve("cmp-p.tsv");
    Files.write(
        predicted,
        List.of(
            ResultsTsv.PREDICT_HEADER,
            ResultsTsv.predictLine(new ResultRow(0, 1, 1, Double.NaN, true, 1))));
    for (List<String> args :
        List.of(
            List.of("compare", a.toString(), lone.toString()),
            List.of("compare", a.toString(), predicted.toString()),
            List.of("compare", a.toString()),
            List.of("compare", a.toString(), b.toString(), "--radii", "0,-1"))) {
      Outcome e = cli(args.toArray(String[]::new));
      assertEquals(2, e.code(), args + ": " + e.err());
      assertEquals(1, e.err().strip().lines().count(), e.err());
    }
  }

  @Test
  void benchPrintsAllRatesRatiosAndTheShareOfTheGemmPeak() {
    Outcome o =
        cli(
            "bench",
            "--model",
            "builtin:mnist-mlp",
            "--batch",
            "100",
            "--seconds",
            "0.3",
            "--min-batches",
            "1",
            "--device",
            "cpu",
            "--memory-runs",
            "50");
    assertEquals(0, o.code(), o.err());
    for (String s :
        List.of(
            "(a)  graph, host noise",
            "(a') graph, in-graph noise",
            "(b)  bare classifier",
            "% of GEMM peak",
            "FLOPs/sample",
            "GFLOP/s",
            "a/b = ",
            "a'/b = ",
            "peak RSS",
            "device cpu",
            "VmRSS after")) {
      assertTrue(o.out().contains(s), s + " missing in\n" + o.out());
    }
  }
}
