package io.sparkvae.submit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a .dockerignore file: which paths of the build context Docker leaves out. As Docker reads them:
 * {@code *} and {@code ?} stay within one path element, {@code **} spans any, a rule that matches a path or one
 * of its parent directories applies to it, the last matching rule wins, and {@code !} brings a path back.
 */
record DockerIgnore(List<Rule> rules) {

  record Rule(Pattern pattern, boolean exception) {}

  static DockerIgnore read(Path file) throws IOException {
    List<Rule> rules = new ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
          continue;
        }
        boolean exception = s.startsWith("!");
        rules.add(new Rule(glob(clean(exception ? s.substring(1) : s)), exception));
      }
    }
    return new DockerIgnore(List.copyOf(rules));
  }

  /** True when the build context does not hold {@code path} (relative to the context, / separated). */
  boolean excludes(String path) {
    List<String> candidates = new ArrayList<>();
    String p = clean(path);
    for (int i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) {
      candidates.add(p.substring(0, i));
    }
    candidates.add(p);
    boolean excluded = false;
    for (Rule rule : rules) {
      if (candidates.stream().anyMatch(c -> rule.pattern().matcher(c).matches())) {
        excluded = !rule.exception();
      }
    }
    return excluded;
  }

  private static String clean(String path) {
    String p = path.strip().replaceAll("^(\\./|/)+", "");
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  private static Pattern glob(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        regex.append(".*");
        i++;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
