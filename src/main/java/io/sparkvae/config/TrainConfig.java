package io.sparkvae.config;

import java.io.Serializable;

/** Distributed-training settings: parameter averaging, optimiser, data limits, checkpoints and retries. */
public record TrainConfig(int epochs, int workers, int batchSizePerWorker, int averagingFrequency,
    boolean averageUpdaters, String averaging, String rddTrainingApproach, String exportDirectory, int prefetchBatches,
    double learningRate, String learningRateSchedule, long seed, long maxTrainImages, long maxValImages,
    CheckpointConfig checkpoint, int maxRetries, boolean resume) implements Serializable {
  static TrainConfig from(ConfigReader r) {
    return new TrainConfig(
        r.integer("epochs", 1, 1_000_000),
        r.integer("workers", 1, 100_000),
        r.integer("batch-size-per-worker", 1, 65_536),
        r.integer("averaging-frequency", 1, 1_000_000),
        r.bool("average-updaters"),
        r.oneOf("averaging", BARRIER, DL4J_SPARK),
        r.oneOf("rdd-training-approach", "direct", "export"),
        r.string("export-directory"),
        r.integer("prefetch-batches", 0, 1_000),
        r.number("learning-rate", 1e-8, 10),
        r.oneOf("learning-rate-schedule", CONSTANT, COSINE),
        r.longValue("seed"),
        nonNegative(r, "max-train-images"),
        nonNegative(r, "max-val-images"),
        CheckpointConfig.from(r.at("checkpoint")),
        r.integer("max-retries", 0, 100),
        r.bool("resume"));
  }

  /** {@code train.averaging}: one barrier stage per epoch, the workers averaging among themselves. */
  public static final String BARRIER = "barrier";
  /** {@code train.averaging}: dl4j-spark's ParameterAveragingTrainingMaster, one Spark job per averaging round. */
  public static final String DL4J_SPARK = "dl4j-spark";

  /** {@code train.learning-rate-schedule}: the same rate in every epoch. */
  public static final String CONSTANT = "constant";
  /** {@code train.learning-rate-schedule}: half a cosine from the rate down to {@link #COSINE_FLOOR} of it. */
  public static final String COSINE = "cosine";
  /** The cosine schedule's last rates stay at this fraction of {@code train.learning-rate}. */
  public static final double COSINE_FLOOR = 0.05;

  /**
   * The Adam learning rate of epoch {@code epoch} (0-based): {@code learning-rate} throughout, or under
   * {@code cosine} {@code learning-rate · max(0.05, (1 + cos(π · epoch / epochs)) / 2)}, from the full rate in the
   * first epoch down to 5% of it. It depends on the epoch alone, so a resumed run continues the same schedule.
   */
  public double learningRate(int epoch) {
    if (!COSINE.equals(learningRateSchedule)) {
      return learningRate;
    }
    double f = 0.5 * (1 + Math.cos(Math.PI * epoch / epochs));
    return learningRate * Math.max(COSINE_FLOOR, f);
  }

  private static long nonNegative(ConfigReader r, String key) {
    long v = r.longValue(key);
    if (v < 0) {
      r.problem("train." + key + ": " + v + " must be at least 0 (0 = no limit)");
    }
    return v;
  }
}
