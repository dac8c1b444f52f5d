package io.sparkvae.config;

import java.io.Serializable;

/** Spark settings used when spark-submit has not provided them. */
public record SparkSettings(String master, String appName) implements Serializable {
  static SparkSettings from(ConfigReader r) {
    return new SparkSettings(r.string("master"), r.string("app-name"));
  }
}
