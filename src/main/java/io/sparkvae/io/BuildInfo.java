package io.sparkvae.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What this build is: {@code spark-vae-build.properties}, written by the build (version, git commit, the DL4J and
 * Spark versions it was built against). Values the build could not know read {@code unknown}.
 */
public final class BuildInfo {
  private static final Properties PROPS = load();

  private BuildInfo() {}

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/spark-vae-build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read spark-vae-build.properties", e);
    }
    return p;
  }

  /** A build value, e.g. {@code version}, {@code git.commit}, {@code dl4j.version}; {@code unknown} if absent. */
  public static String get(String key) {
    String v = PROPS.getProperty(key, "").trim();
    return v.isEmpty() ? "unknown" : v;
  }
}
