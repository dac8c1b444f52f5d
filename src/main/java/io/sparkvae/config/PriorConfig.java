package io.sparkvae.config;

import java.io.Serializable;

/** The PixelCNN prior over VQ-VAE code grids, trained by {@code train-prior} with parameter averaging. */
public record PriorConfig(int hiddenChannels, int residualBlocks, int epochs, double learningRate,
    int batchSizePerWorker, long maxValGrids) implements Serializable {
  static PriorConfig from(ConfigReader r) {
    return new PriorConfig(r.integer("hidden-channels", 1, 4096), r.integer("residual-blocks", 5, 100),
        r.integer("epochs", 1, 1_000_000), r.number("learning-rate", 1e-8, 10),
        r.integer("batch-size-per-worker", 1, 65_536), r.integer("max-val-grids", 0, Integer.MAX_VALUE));
  }
}
