package io.sparkvae.config;

import java.io.Serializable;

/** Settings of the distributed sampling job. */
public record SampleConfig(long count, int partitions, long seed, int batchSize, double temperature,
    String vaePrior) implements Serializable {
  /** sample.vae-prior: z from the Gaussian mixture fitted after training. */
  public static final String MIXTURE = "mixture";
  /** sample.vae-prior: z from N(0, I). */
  public static final String STANDARD = "standard";

  static SampleConfig from(ConfigReader r) {
    long count = r.longValue("count");
    if (count < 1 || count > 1_000_000_000L) {
      r.problem("sample.count: " + count + " must be in [1, 1000000000]");
    }
    return new SampleConfig(count, r.integer("partitions", 1, 1_000_000), r.longValue("seed"),
        r.integer("batch-size", 1, 65_536), r.number("temperature", 0, 100),
        r.oneOf("vae-prior", MIXTURE, STANDARD));
  }
}
