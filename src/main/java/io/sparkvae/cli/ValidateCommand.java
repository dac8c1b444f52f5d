package io.sparkvae.cli;

import io.sparkvae.config.AppConfig;
import io.sparkvae.config.ConfigProblems;
import io.sparkvae.io.HadoopFiles;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code validate <command>[,<command>...] [--config-only] <that command's arguments>}: the checks a command runs
 * before Spark starts (arguments, configuration, inputs and outputs), and nothing else: Spark is not started and
 * nothing is written. Several commands form a pipeline whose earlier steps write the later steps' inputs, as an
 * Airflow DAG runs them.
 */
final class ValidateCommand {
  static final String NAME = "validate";
  static final String DESCRIPTION = "check a command's arguments, configuration and files without running it";
  private static final String CONFIG_ONLY = "--config-only";
  private static final String NO_COMMAND = "validate needs the command to check, e.g. validate train --config FILE";

  private ValidateCommand() {}

  /** Runs {@code validate} with the arguments that follow it; 0 when every step may run, else 2. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    boolean configOnly = false;
    List<String> rest = new ArrayList<>();
    for (String a : args) {
      if (CONFIG_ONLY.equals(a)) {
        configOnly = true;
      } else {
        rest.add(a);
      }
    }
    if (rest.isEmpty()) {
      return usageError(NO_COMMAND, err);
    }
    CommandLine cli;
    try {
      cli = CommandLine.parse(rest.toArray(String[]::new));
    } catch (IllegalArgumentException e) {
      return usageError(e.getMessage(), err);
    }
    if (cli.help()) {
      out.println(usage());
      return 0;
    }
    if (cli.command() == null) {
      return usageError(NO_COMMAND, err);
    }
    List<String> steps = List.of(cli.command().split(",", -1));
    Set<String> seen = new LinkedHashSet<>();
    for (String step : steps) {
      if (!Main.JOBS.containsKey(step)) {
        return usageError("unknown command '" + step + "'", err);
      }
      if (!seen.add(step)) {
        return usageError("'" + step + "' is listed twice in " + cli.command(), err);
      }
    }
    List<String> problems = new ArrayList<>();
    AppConfig config = Main.loadConfig(cli, problems);
    StringBuilder summary = new StringBuilder();
    if (configOnly) {
      summary.append(NAME).append(": ").append(cli.command()).append(": configuration ok (")
          .append(CONFIG_ONLY).append(": inputs and outputs not checked)\n");
      describe(steps, config, path -> path, summary);
    } else {
      summary.append(NAME).append(": ").append(cli.command()).append(" may run (nothing was started or written)\n");
      checkFiles(steps, config, cli, problems, summary);
    }
    if (!problems.isEmpty()) {
      err.println("error: " + cli.command() + " cannot start, " + new ConfigProblems(problems).getMessage());
      return Main.EXIT_USAGE;
    }
    out.print(summary);
    return 0;
  }

  /**
   * Runs each step's pre-flight checks on the files as that step will find them (the earlier steps' outputs
   * planned), adding problems, prefixed by the step in a pipeline, and the summary of resolved paths.
   */
  private static void checkFiles(List<String> steps, AppConfig config, CommandLine cli, List<String> problems,
      StringBuilder summary) {
    boolean overwrite = cli.overwrite();
    HadoopFiles local = HadoopFiles.local();
    PlannedFiles files = new PlannedFiles(local.configuration());
    List<String> noOps = new ArrayList<>();
    String prefix = "";
    try {
      for (String step : steps) {
        prefix = steps.size() > 1 ? step + ": " : "";
        Job job = Main.JOBS.get(step);
        // as Main does: a step that already succeeded with this configuration would do nothing, so the files
        // it finds (its own outputs, for one) are no problem
        Optional<String> end = StepRecord.noOpSince(local, config, step, overwrite);
        Optional<String> same = overwrite || end.isPresent() ? Optional.empty() : job.upToDate(config, local);
        if (end.isPresent()) {
          noOps.add(String.format("  %-12s already succeeded with this configuration (at %s): running it does "
              + "nothing (--overwrite runs it again)%n", step, end.get()));
        } else if (same.isPresent()) {
          noOps.add(String.format("  %-12s %s: running it does nothing (--overwrite runs it again)%n", step,
              same.get()));
        } else {
          for (String problem : job.preflight(config, cli.replaces(job), files)) {
            problems.add(prefix + problem);
          }
        }
        job.outputs(config).forEach(files::plan);
      }
    } catch (RuntimeException e) { // a file system that cannot be reached or a path it cannot take
      problems.add(prefix + "cannot check the files: " + e.getMessage()
          + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
      return;
    }
    describe(steps, config, files::qualify, summary);
    noOps.forEach(summary::append);
  }

  /** Appends the run id and, for each step, the paths it reads (and which earlier step writes them) and writes. */
  private static void describe(List<String> steps, AppConfig config, UnaryOperator<String> resolve,
      StringBuilder summary) {
    summary.append(String.format("  %-12s %s%n", "run id", config.runId()));
    Map<String, String> writtenBy = new HashMap<>();
    for (String step : steps) {
      Job job = Main.JOBS.get(step);
      String label = step;
      for (String input : job.inputs(config)) {
        String path = resolve.apply(input);
        String from = writtenBy.containsKey(path) ? "  (written by " + writtenBy.get(path) + ")" : "";
        summary.append(String.format("  %-12s reads  %s%s%n", label, path, from));
        label = "";
      }
      for (String output : job.outputs(config)) {
        String path = resolve.apply(output);
        writtenBy.put(path, step);
        summary.append(String.format("  %-12s writes %s%n", label, path));
        label = "";
      }
    }
  }

  private static int usageError(String message, PrintStream err) {
    err.println("error: " + message);
    err.println(usage());
    return Main.EXIT_USAGE;
  }

  static String usage() {
    return "usage: spark-vae validate <command>[,<command>...] [--config-only] [--config FILE] [--set key=value]...\n"
        + "                          [--dataset D] [--input PATH]\n"
        + "                          [--overwrite | --overwrite-unless-done]\n\n"
        + "Runs the checks <command> runs before Spark starts, given the same arguments, and stops there: Spark is\n"
        + "not started and nothing is written. Exit code 0 when the command may run, with a summary (run id, the\n"
        + "resolved paths each step reads and writes); 2 listing every problem (arguments, configuration values,\n"
        + "missing inputs, outputs that exist without --overwrite).\n\n"
        + "  spark-vae validate train --config conf/cifar10-vae.conf --set run-id=20261123\n\n"
        + "Steps of a pipeline, in order and comma-separated, are checked with the same arguments (as the Airflow DAG\n"
        + "runs them). An input that an earlier listed step writes need not exist yet; every other input must:\n"
        + "  spark-vae validate prepare,train,sample ...   prepare's raw input must exist, the prepared data not yet\n"
        + "  spark-vae validate train,sample ...           the prepared dataset must exist, train's model not yet\n\n"
        + "--config-only     check the arguments and configuration values only; look at no input or output\n"
        + "                  (in CI, or where the cluster's file systems cannot be reached)\n"
        + Main.options()
        + "exit codes: 0 the command may run, 2 bad arguments, configuration or files";
  }
}
