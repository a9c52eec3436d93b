package dev.smoothguard.docker;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a Dockerfile the tests check, parsed the way BuildKit reads them: comments and blank
 * lines dropped, backslash continuations joined, global ARG defaults substituted into FROM.
 */
final class Dockerfile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ARG_REF =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

  /** One instruction: keyword upper-cased, the rest of the (joined) line as written. */
  record Instruction(String keyword, String args) {}

  /** One stage: its base image (ARGs resolved) and name, if any. */
  record Stage(String image, String name) {}

  /**
   * A COPY/ADD: sources, destination, and the stage or image it copies from (null: the build
   * context).
   */
  record Copy(List<String> sources, String destination, String from) {}

  private final Path file;
  private final List<Instruction> instructions;

  private Dockerfile(Path file, List<Instruction> instructions) {
    this.file = file;
    this.instructions = instructions;
  }

  static Dockerfile read(Path file) {
    try {
      return new Dockerfile(file, parse(Files.readAllLines(file)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  Path file() {
    return file;
  }

  List<Instruction> instructions() {
    return instructions;
  }

  List<Instruction> all(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  /**
   * The last instruction with this keyword (the one that takes effect), or an error naming the
   * file.
   */
  Instruction last(String keyword) {
    List<Instruction> found = all(keyword);
    if (found.isEmpty()) {
      throw new AssertionError(file + " has no " + keyword);
    }
    return found.get(found.size() - 1);
  }

  /** ARG defaults declared before the first FROM (the only ones FROM can use). */
  Map<String, String> globalArgs() {
    Map<String, String> args = new LinkedHashMap<>();
    for (Instruction i : instructions) {
      if (i.keyword().equals("FROM")) {
        break;
      }
      if (i.keyword().equals("ARG")) {
        String[] kv = i.args().split("=", 2);
        args.put(kv[0].trim(), kv.length == 2 ? kv[1].trim() : null);
      }
    }
    return args;
  }

  List<Stage> stages() {
    Map<String, String> args = globalArgs();
    List<Stage> stages = new ArrayList<>();
    for (Instruction i : all("FROM")) {
      String[] words = withoutFlags(i.args()).split("\\s+");
      String image = substitute(words[0], args);
      String name = words.length >= 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null;
      stages.add(new Stage(image, name));
    }
    return stages;
  }

  List<Copy> copies() {
    List<Copy> copies = new ArrayList<>();
    for (Instruction i : instructions) {
      if (!i.keyword().equals("COPY") && !i.keyword().equals("ADD")) {
        continue;
      }
      String from = null;
      List<String> words = new ArrayList<>();
      for (String w : i.args().trim().split("\\s+")) {
        if (w.startsWith("--from=")) {
          from = substitute(w.substring("--from=".length()), globalArgs());
        } else if (!w.startsWith("--")) {
          words.add(w);
        }
      }
      copies.add(
          new Copy(
              List.copyOf(words.subList(0, words.size() - 1)), words.get(words.size() - 1), from));
    }
    return copies;
  }

  /** ENV settings in order, later ones winning; both {@code ENV K=V K2=V2} and {@code ENV K V}. */
  Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    Pattern pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");
    for (Instruction i : all("ENV")) {
      String a = i.args().trim();
      if (!a.matches("^[A-Za-z_][A-Za-z0-9_]*=.*")) {
        String[] kv = a.split("\\s+", 2);
        env.put(kv[0], kv.length == 2 ? kv[1] : "");
        continue;
      }
      Matcher m = pair.matcher(a);
      while (m.find()) {
        env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
      }
    }
    return env;
  }

  /**
   * An exec-form (JSON array) instruction's arguments; HEALTHCHECK's options and CMD word are
   * skipped.
   */
  List<String> execForm(String keyword) {
    String a = last(keyword).args().trim();
    int bracket = a.indexOf('[');
    if (bracket < 0) {
      throw new AssertionError(file + ": " + keyword + " is not in exec form (JSON array): " + a);
    }
    try {
      return JSON.readValue(a.substring(bracket), new TypeReference<List<String>>() {});
    } catch (IOException e) {
      throw new AssertionError(
          file + ": " + keyword + " exec form is not a JSON string array: " + a, e);
    }
  }

  private static String withoutFlags(String args) {
    return args.trim().replaceAll("^(--\\S+\\s+)+", "");
  }

  private static String substitute(String text, Map<String, String> args) {
    Matcher m = ARG_REF.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      String value = args.get(name);
      if (value == null) {
        throw new AssertionError("ARG " + name + " has no default but is used in '" + text + "'");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static List<Instruction> parse(List<String> lines) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : lines) {
      String line = raw.strip();
      if (current.length() == 0 && (line.isEmpty() || line.startsWith("#"))) {
        continue;
      }
      if (current.length() > 0 && line.startsWith("#")) {
        continue; // comment lines inside a continued instruction are dropped
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      String joined = current.toString().strip();
      current.setLength(0);
      if (joined.isEmpty()) {
        continue;
      }
      String[] kw = joined.split("\\s+", 2);
      out.add(new Instruction(kw[0].toUpperCase(), kw.length == 2 ? kw[1] : ""));
    }
    return out;
  }
}
