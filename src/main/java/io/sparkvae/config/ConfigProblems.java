package io.sparkvae.config;

import java.util.List;

/** Every problem found in a configuration, reported together before Spark starts. */
public final class ConfigProblems extends RuntimeException {
  private final List<String> problems;

  public ConfigProblems(List<String> problems) {
    super("invalid configuration:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
