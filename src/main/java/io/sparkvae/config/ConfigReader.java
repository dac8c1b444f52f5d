package io.sparkvae.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/** Reads typed values from a resolved config, collecting every problem instead of stopping at the first. */
public final class ConfigReader {
  private final Config config;
  private final List<String> problems;
  private final String prefix;

  public ConfigReader(Config config, List<String> problems) {
    this(config, problems, "");
  }

  private ConfigReader(Config config, List<String> problems, String prefix) {
    this.config = config;
    this.problems = problems;
    this.prefix = prefix;
  }

  /** A reader scoped to the sub-tree at {@code path}, sharing the problem list. */
  public ConfigReader at(String path) {
    return new ConfigReader(config.getConfig(path), problems, prefix + path + ".");
  }

  private String fullPath(String key) {
    return prefix + key;
  }

  public String string(String key) {
    try {
      return config.getString(key);
    } catch (ConfigException e) {
      problems.add(fullPath(key) + ": expected a string (" + describe(e) + ")");
      return "";
    }
  }

  public String oneOf(String key, String... allowed) {
    String value = string(key);
    for (String a : allowed) {
      if (a.equals(value)) {
        return value;
      }
    }
    if (!value.isEmpty() || allowed.length > 0) {
      problems.add(fullPath(key) + ": '" + value + "' is not one of " + String.join(", ", allowed));
    }
    return allowed[0];
  }

  public int integer(String key, int min, int max) {
    try {
      int value = config.getInt(key);
      checkRange(key, value, min, max);
      return value;
    } catch (ConfigException e) {
      problems.add(fullPath(key) + ": expected an integer (" + describe(e) + ")");
      return min;
    }
  }

  public long longValue(String key) {
    try {
      return config.getLong(key);
    } catch (ConfigException e) {
      problems.add(fullPath(key) + ": expected an integer (" + describe(e) + ")");
      return 0L;
    }
  }

  public double number(String key, double min, double max) {
    try {
      double value = config.getDouble(key);
      if (Double.isNaN(value) || value < min || value > max) {
        problems.add(fullPath(key) + ": " + value + " is out of range [" + min + ", " + max + "]");
      }
      return value;
    } catch (ConfigException e) {
      problems.add(fullPath(key) + ": expected a number (" + describe(e) + ")");
      return min;
    }
  }

  public boolean bool(String key) {
    try {
      return config.getBoolean(key);
    } catch (ConfigException e) {
      problems.add(fullPath(key) + ": expected true or false (" + describe(e) + ")");
      return false;
    }
  }

  public int[] intList(String key, int min, int max) {
    try {
      List<Integer> values = config.getIntList(key);
      if (values.isEmpty()) {
        problems.add(fullPath(key) + ": must not be empty");
      }
      int[] out = new int[values.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = values.get(i);
        checkRange(key, out[i], min, max);
      }
      return out;
    } catch (ConfigException e) {
      problems.add(fullPath(key) + ": expected a list of integers (" + describe(e) + ")");
      return new int[] {min};
    }
  }

  /** Records a problem that involves several keys. */
  public void problem(String message) {
    problems.add(message);
  }

  private void checkRange(String key, long value, long min, long max) {
    if (value < min || value > max) {
      String range = max >= 1_000_000 ? "at least " + min : "in [" + min + ", " + max + "]";
      problems.add(fullPath(key) + ": " + value + " must be " + range);
    }
  }

  private static String describe(ConfigException e) {
    String m = e.getMessage();
    int colon = m.lastIndexOf(": ");
    return colon >= 0 ? m.substring(colon + 2) : m;
  }

  /** All problems so far; shared by every reader derived from the same root. */
  public List<String> problems() {
    return new ArrayList<>(problems);
  }
}
