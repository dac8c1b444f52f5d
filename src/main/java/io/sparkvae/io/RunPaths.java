package io.sparkvae.io;

import io.sparkvae.config.AppConfig;

/** Where each output of a run lives under {@code <output-root>/runs/<run-id>/}. */
public record RunPaths(String runDir) {
  public static RunPaths of(AppConfig config) {
    return new RunPaths(config.runDir());
  }

  public String model() {
    return runDir + "/model.zip";
  }

  public String metrics() {
    return runDir + "/metrics.jsonl";
  }

  public String plots() {
    return runDir + "/plots";
  }

  public String samples() {
    return runDir + "/samples";
  }

  public String samplesSheet() {
    return runDir + "/samples.png";
  }
}
