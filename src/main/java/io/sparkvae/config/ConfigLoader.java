package io.sparkvae.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Merges reference.conf, an optional user file and {@code --set key=value} overrides into one resolved
 * config, rejecting keys that reference.conf does not define.
 */
public final class ConfigLoader {
  /** The block of reference.conf that holds this application's keys. */
  public static final String ROOT = "spark-vae";

  private ConfigLoader() {}

  /** Loads and merges; throws {@link ConfigProblems} naming every unknown key or unreadable override. */
  public static Config load(String configFile, List<String> overrides) {
    List<String> problems = new ArrayList<>();
    Config config = load(configFile, overrides, problems);
    if (!problems.isEmpty()) {
      throw new ConfigProblems(problems);
    }
    return config;
  }

  /**
   * Loads and merges, adding every unknown key, unreadable file or override to {@code problems} instead of
   * stopping: the merged config is still returned (unknown keys are ignored, unreadable parts left out) so
   * that the caller can check the values too and report everything in one list.
   */
  public static Config load(String configFile, List<String> overrides, List<String> problems) {
    Config reference = ConfigFactory.parseResources(ConfigLoader.class, "/reference.conf")
        .getConfig(ROOT);
    Config user = ConfigFactory.empty();
    if (configFile != null) {
      File file = new File(configFile);
      if (!file.isFile()) {
        problems.add("--config: file not found: " + configFile);
      } else {
        try {
          user = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
          problems.add("--config " + configFile + ": " + e.getMessage());
        }
      }
    }
    for (String override : overrides) {
      try {
        user = parseOverride(override).withFallback(user);
      } catch (IllegalArgumentException | ConfigException e) {
        problems.add("--set " + override + ": " + e.getMessage());
      }
    }
    problems.addAll(unknownKeys(user, reference));
    try {
      // resolve with the root prefix so that ${spark-vae.x} substitutions in reference.conf see overrides
      return user.atKey(ROOT).withFallback(reference.atKey(ROOT)).resolve().getConfig(ROOT);
    } catch (ConfigException e) {
      problems.add(e.getMessage());
      // an unresolvable user value: check the rest against the defaults alone
      return reference.atKey(ROOT).resolve().getConfig(ROOT);
    }
  }

  /** Parses {@code key=value}; a value that is not valid HOCON (a URI, say) is taken as a string. */
  static Config parseOverride(String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("expected key=value");
    }
    String key = override.substring(0, eq).trim();
    String value = override.substring(eq + 1).trim();
    ConfigUtil.splitPath(key); // validates the key syntax
    if (!value.contains("//") && !value.contains("#")) {
      try {
        return ConfigFactory.parseString(key + " = " + value,
            ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF));
      } catch (ConfigException e) {
        // fall through: treat as a plain string
      }
    }
    return ConfigFactory.parseString(key + " = " + ConfigUtil.quoteString(value));
  }

  private static List<String> unknownKeys(Config user, Config reference) {
    List<String> problems = new ArrayList<>();
    TreeSet<String> known = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> e : reference.entrySet()) {
      known.add(e.getKey());
    }
    for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
      String key = e.getKey();
      if (!known.contains(key)) {
        String hint = closest(key, known);
        problems.add("unknown key '" + key + "'" + (hint == null ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
    return problems;
  }

  private static String closest(String key, Iterable<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(key, k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
