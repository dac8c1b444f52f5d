package io.sparkvae.config;

import java.io.Serializable;

/** How the synthetic "shapes" dataset is generated and split. */
public record SyntheticConfig(long count, int imageSize, long seed, double valFraction,
    double testFraction, int partitions) implements Serializable {
  static SyntheticConfig from(ConfigReader r) {
    long count = r.longValue("count");
    if (count < 10 || count > 100_000_000L) {
      r.problem("data.synthetic.count: " + count + " must be in [10, 100000000]");
    }
    int size = r.integer("image-size", 16, 256);
    if (size % 16 != 0) {
      r.problem("data.synthetic.image-size: " + size + " must be a multiple of 16");
    }
    double val = r.number("val-fraction", 0.0, 0.5);
    double test = r.number("test-fraction", 0.0, 0.5);
    return new SyntheticConfig(count, size, r.longValue("seed"), val, test,
        r.integer("partitions", 1, 100_000));
  }
}
