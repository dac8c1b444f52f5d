package io.sparkvae.config;

import java.io.Serializable;

/** Which dataset is prepared, from which raw input, and where the prepared Parquet lives. */
public record DataConfig(String dataset, String input, String prepared, SyntheticConfig synthetic,
    Cifar10Config cifar10, CelebaConfig celeba) implements Serializable {
  public static final String SYNTHETIC = "synthetic";
  public static final String CIFAR10 = "cifar10";
  public static final String CELEBA = "celeba";

  static DataConfig from(ConfigReader r) {
    String dataset = r.oneOf("dataset", SYNTHETIC, CIFAR10, CELEBA);
    String input = r.string("input");
    String prepared = r.string("prepared");
    if (prepared.isBlank()) {
      r.problem("data.prepared: must not be empty");
    }
    return new DataConfig(dataset, input, prepared, SyntheticConfig.from(r.at("synthetic")),
        Cifar10Config.from(r.at("cifar10")), CelebaConfig.from(r.at("celeba")));
  }

  /** True for the datasets read from raw files under {@link #input()}. */
  public boolean readsInput() {
    return !SYNTHETIC.equals(dataset);
  }
}
