package dev.smoothguard.smoothing.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.smoothing.errors.UserError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The paired comparison behind {@code compare}: McNemar p-values, pairing by idx, the table. */
class ComparisonTableTest {
  @Test
  void mcNemarPValuesMatchExactValues() {
    // {b, c, p}: p = min(1, 2 * sum_{k <= min(b,c)} C(b+c, k) / 2^(b+c)), and 1 when b+c = 0,
    // computed exactly with Python's fractions.Fraction and math.comb, then printed with %.17g
    double[][] reference = {
      {0, 0, 1}, // no discordant pair: nothing to test
      {5, 5, 1}, // b = c
      {1000, 1000, 1},
      {0, 1, 1},
      {0, 5, 0.0625},
      {3, 10, 0.09228515625},
      {10, 3, 0.09228515625}, // two-sided: symmetric in b and c
      {1, 20, 2.09808349609375e-05},
      {0, 30, 1.862645149230957e-09},
      {950, 1050, 0.026824146240280695}, // b+c = 2000
      {1050, 950, 0.026824146240280695},
      {900, 1100, 8.4570895355039267e-06},
      {800, 1200, 3.5050062069356452e-19},
      {4700, 5300, 2.0760336959207247e-09}, // b+c = 10 000
      {5010, 4990, 0.84931032663732042},
    };
    for (double[] r : reference) {
      double p = new McNemar((int) r[0], (int) r[1]).pValue();
      assertEquals(r[2], p, 1e-12 * r[2], "b=" + r[0] + " c=" + r[1]);
    }
  }

  @Test
  void discordantCountsAtLargeSizesGiveTheExactPValue() {
    // 2 000 images on which exactly one of the two is right: 950 the reference, 1 050 the other;
    // plus 500 that both certify, which McNemar ignores
    List<ResultRow> ref = new ArrayList<>(), other = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      boolean refRight = i < 950 || i >= 2000, otherRight = i >= 950;
      ref.add(row(i, refRight ? 0.5 : 0, refRight));
      other.add(row(i, otherRight ? 0.5 : 0, otherRight));
    }
    McNemar t = ComparisonTable.discordant(ref, other, 0.25);
    assertEquals(new McNemar(950, 1050), t);
    assertEquals(0.026824146240280695, t.pValue(), 1e-12);
    // above every radius nobody is right: no discordant pair, p = 1
    assertEquals(new McNemar(0, 0), ComparisonTable.discordant(ref, other, 0.6));
    assertEquals(1, ComparisonTable.discordant(ref, other, 0.6).pValue());
  }

  @Test
  void pairsByIdxAndDropsIndicesMissingFromAnyFile() {
    Map<String, List<ResultRow>> files = new LinkedHashMap<>();
    files.put("a.tsv", List.of(row(0, 0.6, true), row(1, 0.3, true), row(2, 0.0, false)));
    files.put("b.tsv", List.of(row(2, 0.5, true), row(7, 2.0, true), row(0, 0.2, true)));
    files.put("c.tsv", List.of(row(0, 0.1, true), row(2, 0.1, true), row(5, 0.1, true)));
    PairedResults p = PairedResults.of(files);
    assertEquals(List.of(0, 2), p.idx());
    assertEquals(Map.of("a.tsv", 1, "b.tsv", 1, "c.tsv", 1), p.dropped());
    for (List<ResultRow> rows : p.rows().values()) {
      assertEquals(List.of(0, 2), rows.stream().map(ResultRow::idx).toList());
    }
    assertEquals(0.5, p.rows().get("b.tsv").get(1).radius()); // b's idx 2, not its first row

    Map<String, List<ResultRow>> disjoint = new LinkedHashMap<>();
    disjoint.put("a.tsv", List.of(row(0, 0.6, true)));
    disjoint.put("b.tsv", List.of(row(1, 0.6, true)));
    UserError none = assertThrows(UserError.class, () -> PairedResults.of(disjoint));
    assertTrue(
        none.getMessage().contains("no idx is present in all of a.tsv, b.tsv"), none.getMessage());

    Map<String, List<ResultRow>> twice = new LinkedHashMap<>();
    twice.put("a.tsv", List.of(row(3, 0.6, true), row(3, 0.1, true)));
    UserError dup = assertThrows(UserError.class, () -> PairedResults.of(twice));
    assertTrue(dup.getMessage().contains("a.tsv: idx 3 appears more than once"), dup.getMessage());
  }

  @Test
  void tableHasAccuracyDifferenceDiscordantCountsPValuesAndAcr() {
    Map<String, List<ResultRow>> files = new LinkedHashMap<>();
    // reference: right at 0.6 and 0.3, wrong (radius of the wrong class), abstains; idx 9 only here
    files.put(
        "a.tsv",
        List.of(
            row(0, 0.6, true),
            row(1, 0.3, true),
            new ResultRow(2, 0, 3, 0.8, false, 0),
            new ResultRow(3, 0, -1, 0.0, false, 0),
            row(9, 1.0, true)));
    // the other, in another order; idx 7 only here
    files.put(
        "b.tsv",
        List.of(
            row(3, 0.1, true),
            row(2, 0.5, true),
            row(7, 2.0, true),
            row(1, 0.9, true),
            row(0, 0.2, true)));
    PairedResults paired = PairedResults.of(files);
    String md = ComparisonTable.markdown(paired, new double[] {0, 0.25, 0.5, 0.75, 1.0});
    List<List<String>> rows =
        md.lines().filter(l -> l.startsWith("|")).map(ComparisonTableTest::cells).toList();
    assertEquals(
        List.of("radius", "a.tsv", "b.tsv", "diff (pts)", "b", "c", "McNemar p"), rows.get(0));
    assertTrue(rows.get(1).stream().allMatch(c -> c.matches("-+:")), rows.get(1).toString());
    // by hand: at 0 a is right on idx 0, 1 and b on all four: b = 0, c = 2, p = 2 * (1/4)
    assertEquals(List.of("0.00", "50.0", "100.0", "+50.0", "0", "2", "0.500"), rows.get(2));
    // 0.25: a on 0, 1; b on 1, 2: one each way
    assertEquals(List.of("0.25", "50.0", "50.0", "+0.0", "1", "1", "1"), rows.get(3));
    // 0.5: a on 0; b on 1, 2: p = 2 * P(X <= 1), X ~ Bin(3, 1/2) = 2 * 4/8 = 1
    assertEquals(List.of("0.50", "25.0", "50.0", "+25.0", "1", "2", "1"), rows.get(4));
    assertEquals(List.of("0.75", "0.0", "25.0", "+25.0", "0", "1", "1"), rows.get(5));
    assertEquals(List.of("1.00", "0.0", "0.0", "+0.0", "0", "0", "1"), rows.get(6));
    // ACR: (0.6 + 0.3) / 4 and (0.1 + 0.5 + 0.9 + 0.2) / 4; the wrong class's 0.8 counts 0
    assertEquals(List.of("ACR", "0.225", "0.425", "+0.200", "", "", ""), rows.get(7));
    assertEquals(8, rows.size());
    assertTrue(md.contains("4 paired images (idx 0 to 3)"), md);

    // the accuracy columns are CertifiedAccuracy's, on the paired rows
    for (double r : new double[] {0, 0.3, 0.55}) {
      assertEquals(
          CertifiedAccuracy.at(paired.rows().get("b.tsv"), r) * 100,
          Double.parseDouble(
              cells(ComparisonTable.markdown(paired, new double[] {r}).lines().toList().get(2))
                  .get(2)),
          0.05);
    }
  }

  @Test
  void pValuesPrintWithThreeSignificantDigits() {
    assertEquals("1", ComparisonTable.pValue(1));
    assertEquals("0.0923", ComparisonTable.pValue(0.09228515625));
    assertEquals("2.10e-05", ComparisonTable.pValue(2.09808349609375e-05));
  }

  private static List<String> cells(String line) {
    String inner = line.strip().substring(1, line.strip().length() - 1);
    return Arrays.stream(inner.split("\\|", -1)).map(String::strip).toList();
  }

  private static ResultRow row(int idx, double radius, boolean correct) {
    return new ResultRow(idx, 0, correct ? 0 : -1, radius, correct, 0);
  }
}
