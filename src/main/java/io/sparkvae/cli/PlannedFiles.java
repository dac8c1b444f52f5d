package io.sparkvae.cli;

import io.sparkvae.io.HadoopFiles;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;

/**
 * The files as a pipeline's later step will find them: what exists now, plus the outputs of the steps that run
 * before it. A planned output exists but its contents are not known yet, so nothing inside it exists (a check
 * that reads a file inside, such as train's look at the prepared dataset's image size, is left to the step).
 * Used only by {@code validate}, whose pre-flight checks ask only {@link #exists}.
 */
final class PlannedFiles extends HadoopFiles {
  private final Set<String> planned = new LinkedHashSet<>();

  PlannedFiles(Configuration conf) {
    super(conf);
  }

  /** Declares that {@code path} will have been written by an earlier step. */
  void plan(String path) {
    planned.add(qualify(path));
  }

  /** Whether {@code path} is the output of an earlier step of the pipeline. */
  boolean isPlanned(String path) {
    return planned.contains(qualify(path));
  }

  @Override
  public boolean exists(String path) {
    String p = qualify(path);
    if (planned.contains(p)) {
      return true;
    }
    for (String output : planned) {
      if (p.startsWith(output + "/")) {
        return false; // inside an output that is still to be written
      }
    }
    return super.exists(path);
  }
}
