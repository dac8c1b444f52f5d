package io.sparkvae.cli;

import io.sparkvae.config.AppConfig;
import io.sparkvae.io.HadoopFiles;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/** One sub-command: checks its inputs and outputs before Spark starts, then runs on Spark. */
public interface Job {
  /** What the sub-command does, for {@code --help}. */
  String description();

  /**
   * The paths the sub-command reads, as configured (for {@code validate}'s summary, and so that
   * {@code validate prepare,train} knows train's input is prepare's output); empty when it reads none.
   */
  List<String> inputs(AppConfig config);

  /** The paths the sub-command writes (or replaces with {@code --overwrite}), as configured. */
  List<String> outputs(AppConfig config);

  /**
   * Versions of code, beyond the configuration, that decide what the sub-command writes (name to version); its
   * step record's hash covers them, so a run under another version does not count as this one. Empty by default.
   */
  default Map<String, String> codeVersions(AppConfig config) {
    return Map.of();
  }

  /**
   * Why running the sub-command would change nothing, whatever the run id (its output already is what it would
   * write), or empty. Asked before {@link #preflight} unless {@code --overwrite} is given; a reason makes the run
   * a no-op. Reads only what exists now. Empty by default.
   */
  default Optional<String> upToDate(AppConfig config, HadoopFiles files) {
    return Optional.empty();
  }

  /** Problems with inputs or outputs (missing input, existing output); empty when it may run. */
  List<String> preflight(AppConfig config, boolean overwrite, HadoopFiles files);

  void run(SparkSession spark, AppConfig config, boolean overwrite);
}
