package io.sparkvae.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading a run's metrics files (one JSON object per line) in tests. */
public final class JsonLines {
  private static final Pattern EPOCH = Pattern.compile("\"epoch\":(\\d+),");

  private JsonLines() {}

  /** The {@code epoch} of every line, in file order; fails on a line without one. */
  public static List<Integer> epochs(Path jsonl) throws IOException {
    List<Integer> epochs = new ArrayList<>();
    for (String line : Files.readAllLines(jsonl)) {
      Matcher m = EPOCH.matcher(line);
      if (!m.find()) {
        throw new AssertionError("no epoch in " + jsonl + " line: " + line);
      }
      epochs.add(Integer.parseInt(m.group(1)));
    }
    return epochs;
  }
}
