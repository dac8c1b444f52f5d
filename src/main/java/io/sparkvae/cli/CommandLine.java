package io.sparkvae.cli;

import com.typesafe.config.ConfigUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Parsed command-line arguments: {@code <command> [--config FILE] [--set k=v]... [--dataset D] [--input PATH]
 * [--fresh] [--overwrite | --overwrite-unless-done] [--help]}; {@code --dataset}, {@code --input} and
 * {@code --fresh} are shorthands of {@code --set data.dataset=D}, {@code --set data.input=PATH} and
 * {@code --set train.resume=false}, applied in command-line order with the other overrides.
 *
 * @param overwrite {@code --overwrite}: run the step again, replacing its outputs, even when it already succeeded
 * @param unlessDone {@code --overwrite-unless-done}, for schedulers: a step of this run that already succeeded with
 *     this configuration (and whose outputs are still as it left them) does nothing; otherwise it runs and replaces
 *     whatever an earlier attempt, or another run, left at its outputs, or, for a step that {@link Job#resumes},
 *     resumes from it
 */
public record CommandLine(String command, String configFile, List<String> overrides, boolean overwrite,
    boolean unlessDone, boolean help) {

  /**
   * Whether {@code job} may replace outputs that exist: with {@code --overwrite}, and with
   * {@code --overwrite-unless-done} unless the job resumes from what an earlier attempt left instead.
   */
  public boolean replaces(Job job) {
    return overwrite || unlessDone && !job.resumes();
  }

  /** Parses; throws {@link IllegalArgumentException} with a usage-level message on bad arguments. */
  public static CommandLine parse(String[] args) {
    if (args.length == 0) {
      return new CommandLine(null, null, List.of(), false, false, true);
    }
    String command = args[0].startsWith("-") ? null : args[0];
    String configFile = null;
    List<String> overrides = new ArrayList<>();
    boolean overwrite = false;
    boolean unlessDone = false;
    boolean help = false;
    for (int i = command == null ? 0 : 1; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help", "-h" -> help = true;
        case "--overwrite" -> overwrite = true;
        case "--overwrite-unless-done" -> unlessDone = true;
        case "--config" -> configFile = value(args, ++i, a);
        case "--set" -> overrides.add(value(args, ++i, a));
        // shorthands of prepare: --dataset cifar10 --input PATH
        case "--dataset" -> overrides.add("data.dataset=" + ConfigUtil.quoteString(value(args, ++i, a)));
        case "--input" -> overrides.add("data.input=" + ConfigUtil.quoteString(value(args, ++i, a)));
        // train: start over instead of resuming from the run's checkpoints
        case "--fresh" -> overrides.add("train.resume=false");
        default -> {
          if (a.startsWith("--config=")) {
            configFile = a.substring("--config=".length());
          } else if (a.startsWith("--set=")) {
            overrides.add(a.substring("--set=".length()));
          } else {
            throw new IllegalArgumentException("unexpected argument '" + a + "'");
          }
        }
      }
    }
    if (overwrite && unlessDone) {
      throw new IllegalArgumentException("--overwrite runs a finished step again, --overwrite-unless-done does not: "
          + "give one of them");
    }
    return new CommandLine(command, configFile, List.copyOf(overrides), overwrite, unlessDone, help);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }
}
