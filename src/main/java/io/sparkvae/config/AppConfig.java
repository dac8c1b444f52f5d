package io.sparkvae.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The whole validated configuration of one invocation; immutable and serialisable. */
public record AppConfig(String runId, String outputRoot, SparkSettings spark, DataConfig data,
    PrepareConfig prepare, ModelConfig model, TrainConfig train, PriorConfig prior, SampleConfig sample,
    EvaluateConfig evaluate) implements Serializable {

  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** Reads every key eagerly; throws {@link ConfigProblems} listing all problems at once. */
  public static AppConfig from(Config config) {
    List<String> problems = new ArrayList<>();
    AppConfig app = read(config, problems);
    if (!problems.isEmpty()) {
      throw new ConfigProblems(problems);
    }
    return app;
  }

  /**
   * Reads every key, adding each problem to {@code problems}; a bad value is replaced by a placeholder so
   * that later checks (inputs, outputs) can still run and be reported in the same list.
   */
  public static AppConfig read(Config config, List<String> problems) {
    ConfigReader r = new ConfigReader(config, problems);
    String runId = r.string("run-id");
    if (!RUN_ID.matcher(runId).matches()) {
      r.problem("run-id: '" + runId + "' must be 1-128 characters of letters, digits, '.', '_' or '-'");
    }
    String outputRoot = r.string("output-root");
    if (outputRoot.isBlank()) {
      r.problem("output-root: must not be empty");
    }
    return new AppConfig(runId, outputRoot, SparkSettings.from(r.at("spark")),
        DataConfig.from(r.at("data")), PrepareConfig.from(r.at("prepare")), ModelConfig.from(r.at("model")),
        TrainConfig.from(r.at("train")), PriorConfig.from(r.at("prior")), SampleConfig.from(r.at("sample")),
        EvaluateConfig.from(r.at("evaluate")));
  }

  /** The directory of this run: {@code <output-root>/runs/<run-id>}. */
  public String runDir() {
    return stripSlash(outputRoot) + "/runs/" + runId;
  }

  private static String stripSlash(String p) {
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }
}
