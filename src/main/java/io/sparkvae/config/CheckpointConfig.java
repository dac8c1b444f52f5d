package io.sparkvae.config;

import java.io.Serializable;

/** When training writes checkpoints and how many it keeps ({@code train.checkpoint}). */
public record CheckpointConfig(int every, int keep) implements Serializable {
  /** Every epoch, the newest two kept. */
  public static final CheckpointConfig DEFAULT = new CheckpointConfig(1, 2);

  static CheckpointConfig from(ConfigReader r) {
    return new CheckpointConfig(r.integer("every", 1, 1_000_000), r.integer("keep", 1, 1_000));
  }
}
