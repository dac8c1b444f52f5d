package io.sparkvae.config;

import java.io.Serializable;

/** Settings of {@code evaluate}: which split of the prepared dataset the trained model is scored on. */
public record EvaluateConfig(String split, long maxImages) implements Serializable {
  static EvaluateConfig from(ConfigReader r) {
    String split = r.oneOf("split", "test", "val", "train");
    long max = r.longValue("max-images");
    if (max < 0) {
      r.problem("evaluate.max-images: " + max + " must be 0 (all) or more");
    }
    return new EvaluateConfig(split, max);
  }
}
