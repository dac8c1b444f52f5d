package io.sparkvae.config;

import java.io.Serializable;

/** Distributed-training settings: parameter averaging, optimiser, data limits, checkpoints and retries. */
public record TrainConfig(int epochs, int workers, int batchSizePerWorker, int averagingFrequency,
    boolean averageUpdaters, String rddTrainingApproach, String exportDirectory, int prefetchBatches,
    double learningRate, long seed, long maxTrainImages, long maxValImages, CheckpointConfig checkpoint,
    int maxRetries, boolean resume) implements Serializable {
  static TrainConfig from(ConfigReader r) {
    return new TrainConfig(
        r.integer("epochs", 1, 1_000_000),
        r.integer("workers", 1, 100_000),
        r.integer("batch-size-per-worker", 1, 65_536),
        r.integer("averaging-frequency", 1, 1_000_000),
        r.bool("average-updaters"),
        r.oneOf("rdd-training-approach", "direct", "export"),
        r.string("export-directory"),
        r.integer("prefetch-batches", 0, 1_000),
        r.number("learning-rate", 1e-8, 10),
        r.longValue("seed"),
        nonNegative(r, "max-train-images"),
        nonNegative(r, "max-val-images"),
        CheckpointConfig.from(r.at("checkpoint")),
        r.integer("max-retries", 0, 100),
        r.bool("resume"));
  }

  private static long nonNegative(ConfigReader r, String key) {
    long v = r.longValue(key);
    if (v < 0) {
      r.problem("train." + key + ": " + v + " must be at least 0 (0 = no limit)");
    }
    return v;
  }
}
