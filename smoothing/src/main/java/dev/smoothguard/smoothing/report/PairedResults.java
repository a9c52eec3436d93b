package dev.smoothguard.smoothing.report;

import dev.smoothguard.smoothing.errors.UserError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Several results files on the same images: only the dataset indices present in every file are
 * kept, in increasing order, so row i of every file is the same image.
 *
 * @param rows label -> that file's rows on the common indices, in the order of {@code idx}
 * @param idx the common dataset indices, increasing
 * @param dropped label -> how many of that file's rows were left out (index not in every file)
 */
public record PairedResults(
    Map<String, List<ResultRow>> rows, List<Integer> idx, Map<String, Integer> dropped) {

  /** Pairs the files (label -> rows, in the order given); a UserError if no index is common. */
  public static PairedResults of(Map<String, List<ResultRow>> files) {
    Map<String, Map<Integer, ResultRow>> byIdx = new LinkedHashMap<>();
    Set<Integer> common = null;
    for (Map.Entry<String, List<ResultRow>> f : files.entrySet()) {
      Map<Integer, ResultRow> rows = new HashMap<>();
      for (ResultRow r : f.getValue()) {
        if (rows.put(r.idx(), r) != null) {
          throw new UserError(f.getKey() + ": idx " + r.idx() + " appears more than once");
        }
      }
      byIdx.put(f.getKey(), rows);
      if (common == null) common = new TreeSet<>(rows.keySet());
      else common.retainAll(rows.keySet());
    }
    if (common == null || common.isEmpty()) {
      throw new UserError("no idx is present in all of " + String.join(", ", files.keySet()));
    }
    List<Integer> idx = List.copyOf(common);
    Map<String, List<ResultRow>> paired = new LinkedHashMap<>();
    Map<String, Integer> dropped = new LinkedHashMap<>();
    for (Map.Entry<String, Map<Integer, ResultRow>> f : byIdx.entrySet()) {
      List<ResultRow> rows = new ArrayList<>(idx.size());
      for (int i : idx) rows.add(f.getValue().get(i));
      paired.put(f.getKey(), List.copyOf(rows));
      dropped.put(f.getKey(), f.getValue().size() - idx.size());
    }
    return new PairedResults(paired, idx, dropped);
  }

  /** Number of paired images. */
  public int size() {
    return idx.size();
  }
}
