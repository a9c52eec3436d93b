package dev.smoothguard.smoothing.cli;

import dev.smoothguard.smoothing.errors.UserError;
import dev.smoothguard.smoothing.report.ResultRow;
import dev.smoothguard.smoothing.report.ResultsTsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Results files named on a command line, read in order and labelled by file name. */
final class ResultFiles {
  private ResultFiles() {}

  /** File name -> rows; a name given twice gets a prime (a.tsv, a.tsv') so no file is lost. */
  static Map<String, List<ResultRow>> read(List<Path> files) throws IOException {
    Map<String, List<ResultRow>> series = new LinkedHashMap<>();
    for (Path f : files) {
      if (!Files.isRegularFile(f)) throw new UserError(f + ": no such file");
      String name = f.getFileName().toString();
      while (series.containsKey(name)) name = name + "'";
      series.put(name, ResultsTsv.read(f));
    }
    return series;
  }
}
