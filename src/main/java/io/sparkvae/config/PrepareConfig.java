package io.sparkvae.config;

import java.io.Serializable;

/** Limits of the {@code prepare} job: tolerated rejects and the size of the Parquet files it writes. */
public record PrepareConfig(double maxRejectFraction, int targetFileMb) implements Serializable {
  static PrepareConfig from(ConfigReader r) {
    return new PrepareConfig(r.number("max-reject-fraction", 0.0, 1.0),
        r.integer("target-file-mb", 1, 4096));
  }

  /** Bytes of uncompressed pixels aimed at per Parquet file. */
  public long targetFileBytes() {
    return targetFileMb * 1024L * 1024L;
  }
}
