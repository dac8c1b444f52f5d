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

  /**
   * A fingerprint of the sub-command's outputs as they are now, for outputs that another run may replace (the
   * shared prepared dataset): the step record keeps the one its run left, and a rerun is no longer a no-op once
   * they differ. Empty by default, for outputs under the run's own directory.
   */
  default Optional<String> outputStamp(AppConfig config, HadoopFiles files) {
    return Optional.empty();
  }

  /**
   * Whether the sub-command takes up what an earlier attempt of its run left (its checkpoints) instead of refusing
   * existing outputs; for such a sub-command {@code --overwrite-unless-done} is the same as neither flag. False by
   * default.
   */
  default boolean resumes() {
    return false;
  }

  /** Problems with inputs or outputs (missing input, existing output); empty when it may run. */
  List<String> preflight(AppConfig config, boolean overwrite, HadoopFiles files);

  void run(SparkSession spark, AppConfig config, boolean overwrite);
}
