package io.sparkvae.cli;

import io.sparkvae.config.AppConfig;
import io.sparkvae.config.ConfigLoader;
import io.sparkvae.config.ConfigProblems;
import io.sparkvae.data.BadInputException;
import io.sparkvae.data.PrepareJob;
import io.sparkvae.encode.EncodeJob;
import io.sparkvae.evaluate.EvaluateJob;
import io.sparkvae.prior.TrainPriorJob;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.sample.SampleJob;
import io.sparkvae.train.TrainJob;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: parses arguments, loads and validates config, starts Spark and runs one sub-command ({@code validate}
 * stops before Spark: {@link ValidateCommand}).
 */
public final class Main {
  /** Exit code for bad arguments or configuration (nothing was started). */
  public static final int EXIT_USAGE = 2;
  /** Exit code for a job that started and failed. */
  public static final int EXIT_FAILED = 1;

  private static final String EXIT_CODES =
      "exit codes: 0 done, 1 the job failed, 2 bad arguments, configuration or input files";

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  static final Map<String, Job> JOBS = new LinkedHashMap<>();

  static {
    JOBS.put("prepare", new PrepareJob());
    JOBS.put("train", new TrainJob());
    JOBS.put("encode", new EncodeJob());
    JOBS.put("train-prior", new TrainPriorJob());
    JOBS.put("sample", new SampleJob());
    JOBS.put("evaluate", new EvaluateJob());
  }

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    // In YARN cluster mode the ApplicationMaster (which sets spark.yarn.app.id) reports an application that
    // calls System.exit, even with 0, as FAILED ("Shutdown hook called before final status was reported"):
    // there a success returns from main.
    if (code != 0 || System.getProperty("spark.yarn.app.id") == null) {
      System.exit(code);
    }
  }

  /** Runs one invocation and returns its exit code (0 ok, 1 job failed, 2 bad arguments or config). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length > 0 && ValidateCommand.NAME.equals(args[0])) {
      return ValidateCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    CommandLine cli;
    try {
      cli = CommandLine.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(usage());
      return EXIT_USAGE;
    }
    if (cli.command() == null) {
      (cli.help() ? out : err).println(usage());
      return cli.help() ? 0 : EXIT_USAGE;
    }
    Job job = JOBS.get(cli.command());
    if (job == null) {
      err.println("error: unknown command '" + cli.command() + "'");
      err.println(usage());
      return EXIT_USAGE;
    }
    if (cli.help()) {
      out.println(commandHelp(cli.command(), job));
      return 0;
    }
    AppConfig config;
    try {
      // values, inputs and outputs are checked together so that one message lists every problem
      List<String> problems = new ArrayList<>();
      config = loadConfig(cli, problems);
      HadoopFiles local = HadoopFiles.local();
      if (problems.isEmpty()) {
        // a scheduler's retry of a step that already succeeded with this configuration: nothing to do
        Optional<String> end = StepRecord.noOpSince(local, config, cli.command(), cli.overwrite());
        if (end.isPresent()) {
          out.println(cli.command() + " of run " + config.runId() + " already succeeded with this configuration (at "
              + end.get() + "); nothing to do (pass --overwrite to run it again)");
          return 0;
        }
        Optional<String> same = cli.overwrite() ? Optional.empty() : job.upToDate(config, local);
        if (same.isPresent()) {
          out.println(cli.command() + ": " + same.get() + "; nothing to do (pass --overwrite to run it again)");
          return 0;
        }
      }
      problems.addAll(job.preflight(config, cli.replaces(job), local));
      if (!problems.isEmpty()) {
        throw new ConfigProblems(problems);
      }
    } catch (ConfigProblems e) {
      err.println("error: " + cli.command() + " cannot start, " + e.getMessage());
      return EXIT_USAGE;
    }
    SparkSession spark = SparkSessions.create(config.spark());
    HadoopFiles files = new HadoopFiles(spark.sparkContext().hadoopConfiguration());
    StepRecord record = new StepRecord(files, config, cli.command());
    try {
      spark.sparkContext().setJobGroup(cli.command(), cli.command() + " " + config.runId(), false);
      record.started(spark.version());
      job.run(spark, config, cli.replaces(job));
      record.succeeded(spark.version());
      return 0;
    } catch (BadInputException e) {
      // a raw input file the job cannot use: the message names it; nothing was written, not even the record
      record.discard();
      err.println("error: " + cli.command() + " cannot use its input: " + e.getMessage());
      return EXIT_USAGE;
    } catch (Exception e) { // Spark's Java API throws the checked SparkException undeclared
      LOG.error("{} failed", cli.command(), e);
      err.println("error: " + cli.command() + " failed: " + rootMessage(e));
      record.failed(spark.version(), rootMessage(e));
      return EXIT_FAILED;
    } finally {
      spark.stop();
    }
  }

  /**
   * Loads the configuration of {@code cli} (defaults, file, overrides) and reads every value, adding each problem
   * to {@code problems}; the config returned still serves the input and output checks.
   */
  static AppConfig loadConfig(CommandLine cli, List<String> problems) {
    return AppConfig.read(ConfigLoader.load(cli.configFile(), cli.overrides(), problems), problems);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + t + ")";
  }

  static String usage() {
    StringBuilder b = new StringBuilder("usage: spark-vae <command> [--config FILE] [--set key=value]... "
        + "[--overwrite | --overwrite-unless-done] [--help]\n"
        + "       spark-vae validate <command>[,<command>...] [--config-only] [that command's arguments]\n"
        + "\ncommands:\n");
    JOBS.forEach((name, job) -> b.append(String.format("  %-10s %s%n", name, job.description())));
    b.append(String.format("  %-10s %s%n", ValidateCommand.NAME, ValidateCommand.DESCRIPTION + " (validate --help)"));
    return b.append('\n').append(options()).append(EXIT_CODES).toString();
  }

  /** The options every command takes, one line each. */
  static String options() {
    return "--config FILE     HOCON file merged over the defaults (see reference.conf)\n"
        + "--set key=value   override one key, e.g. --set train.epochs=3 (repeatable)\n"
        + "--dataset D       shorthand of --set data.dataset=D (synthetic, cifar10, celeba)\n"
        + "--input PATH      shorthand of --set data.input=PATH (the raw dataset prepare reads)\n"
        + "--fresh           train, train-prior: start over instead of resuming from the run's checkpoints\n"
        + "--overwrite       replace an existing output instead of refusing; a finished step runs again\n"
        + "--overwrite-unless-done\n"
        + "                  for schedulers' retries: a step of this run that already succeeded with this\n"
        + "                  configuration does nothing; otherwise it replaces what an earlier attempt left\n"
        + "                  (train, train-prior: resume from it)\n";
  }

  private static String commandHelp(String name, Job job) {
    return "usage: spark-vae " + name + " [--config FILE] [--set key=value]... [--fresh]\n"
        + "       [--overwrite | --overwrite-unless-done]\n\n"
        + job.description() + "\n\n" + options() + EXIT_CODES;
  }
}
