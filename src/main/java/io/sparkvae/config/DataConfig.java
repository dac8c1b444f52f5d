package io.sparkvae.config;

import java.io.Serializable;

/** Which dataset is prepared and where the prepared Parquet lives. */
public record DataConfig(String dataset, String prepared, SyntheticConfig synthetic)
    implements Serializable {
  static DataConfig from(ConfigReader r) {
    String dataset = r.oneOf("dataset", "synthetic");
    String prepared = r.string("prepared");
    if (prepared.isBlank()) {
      r.problem("data.prepared: must not be empty");
    }
    return new DataConfig(dataset, prepared, SyntheticConfig.from(r.at("synthetic")));
  }
}
