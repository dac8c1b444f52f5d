package io.sparkvae.submit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a Dockerfile that say which files go where: its stages (base image with global ARGs
 * substituted, name, WORKDIR, USER) and their COPY instructions. Enough of the format for docker/Dockerfile:
 * line continuations, comments, {@code COPY [--flag=...] SRC... DEST} and the JSON form.
 */
record ParsedDockerfile(List<Stage> stages) {

  /** One {@code COPY}: {@code from} is the --from stage (null: the build context), {@code workdir} the WORKDIR. */
  record Copy(String from, List<String> sources, String dest, String workdir, int line) {

    /**
     * Where a source lands in the image, as Docker copies: a directory's contents go into DEST; a file becomes
     * DEST, or DEST/its name when DEST names a directory ("dir/", ".", or several sources).
     */
    String target(String source, boolean sourceIsDirectory) {
      String d = Path.of(workdir).resolve(dest).normalize().toString();
      boolean intoDirectory = dest.endsWith("/") || dest.equals(".") || sources.size() > 1;
      return sourceIsDirectory || !intoDirectory ? d : Path.of(d, Path.of(source).getFileName().toString()).toString();
    }
  }

  /** One {@code FROM} stage: base image (global ARGs substituted), name (AS), COPYs, last WORKDIR and USER. */
  record Stage(String image, String name, List<Copy> copies, String workdir, String user) {}

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?");

  static ParsedDockerfile parse(Path file) throws IOException {
    Map<String, String> globalArgs = new HashMap<>();
    List<Stage> stages = new ArrayList<>();
    String image = null;
    String name = null;
    String workdir = "/";
    String user = null;
    List<Copy> copies = new ArrayList<>();
    for (String[] instruction : instructions(Files.readAllLines(file))) {
      String keyword = instruction[0].toUpperCase();
      String args = instruction[1];
      int line = Integer.parseInt(instruction[2]);
      switch (keyword) {
        case "ARG" -> {
          if (image == null) {
            String[] kv = args.split("=", 2);
            globalArgs.put(kv[0].trim(), kv.length > 1 ? kv[1].trim() : "");
          }
        }
        case "FROM" -> {
          if (image != null) {
            stages.add(new Stage(image, name, copies, workdir, user));
          }
          String[] parts = args.trim().split("\\s+");
          image = substitute(parts[0], globalArgs);
          name = parts.length == 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : null;
          workdir = "/";
          user = null;
          copies = new ArrayList<>();
        }
        case "WORKDIR" -> workdir = Path.of(workdir).resolve(args.trim()).normalize().toString();
        case "USER" -> user = args.trim();
        case "COPY", "ADD" -> copies.add(copy(args, workdir, line));
        default -> { }
      }
    }
    if (image != null) {
      stages.add(new Stage(image, name, copies, workdir, user));
    }
    return new ParsedDockerfile(List.copyOf(stages));
  }

  /** The stage of the given name. */
  Stage stage(String name) {
    return stages.stream().filter(s -> name.equals(s.name())).findFirst()
        .orElseThrow(() -> new AssertionError("no stage named " + name));
  }

  /** The stage the image is made of: the last one. */
  Stage runtime() {
    return stages.get(stages.size() - 1);
  }

  /** Logical instructions as {keyword, arguments, first line number}: continuations joined, comments dropped. */
  private static List<String[]> instructions(List<String> lines) {
    List<String[]> out = new ArrayList<>();
    StringBuilder current = null;
    int start = 0;
    for (int i = 0; i < lines.size(); i++) {
      String s = lines.get(i).strip();
      if (s.startsWith("#") || (s.isEmpty() && current == null)) {
        continue;
      }
      if (current == null) {
        current = new StringBuilder();
        start = i + 1;
      }
      boolean continued = s.endsWith("\\");
      current.append(continued ? s.substring(0, s.length() - 1) : s).append(' ');
      if (!continued) {
        String text = current.toString().strip();
        int space = text.indexOf(' ');
        out.add(new String[] {text.substring(0, space < 0 ? text.length() : space),
            space < 0 ? "" : text.substring(space + 1).strip(), String.valueOf(start)});
        current = null;
      }
    }
    return out;
  }

  private static Copy copy(String args, String workdir, int line) {
    String from = null;
    String rest = args.strip();
    while (rest.startsWith("--")) {
      int end = rest.indexOf(' ');
      String flag = rest.substring(0, end);
      if (flag.startsWith("--from=")) {
        from = flag.substring("--from=".length());
      }
      rest = rest.substring(end).strip();
    }
    List<String> paths;
    if (rest.startsWith("[")) {
      paths = Arrays.stream(rest.substring(1, rest.lastIndexOf(']')).split(","))
          .map(p -> p.strip().replaceAll("^\"|\"$", "")).toList();
    } else {
      paths = List.of(rest.split("\\s+"));
    }
    return new Copy(from, paths.subList(0, paths.size() - 1), paths.get(paths.size() - 1), workdir, line);
  }

  private static String substitute(String text, Map<String, String> args) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(args.getOrDefault(m.group(1), m.group())));
    }
    return m.appendTail(sb).toString();
  }
}
