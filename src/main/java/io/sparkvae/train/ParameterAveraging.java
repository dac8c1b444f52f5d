package io.sparkvae.train;

import io.sparkvae.config.TrainConfig;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** Builds the parameter-averaging trainer the training config asks for, and dl4j-spark's training master. */
public final class ParameterAveraging {
  private ParameterAveraging() {}

  private static final java.util.regex.Pattern LOCAL = java.util.regex.Pattern.compile("local\\[(\\d+)(,\\d+)?]");

  /**
   * Why {@code train.averaging = barrier} cannot run with this master and Spark configuration, or empty: a barrier
   * stage needs all {@code train.workers} task slots at once (Spark waits for them about 10 minutes and then fails
   * the job), and Spark refuses barrier stages under dynamic allocation. {@code master} may be empty (set by
   * spark-submit); only {@code local[N]} is checked for slots.
   */
  public static java.util.Optional<String> barrierProblem(TrainConfig t, String master, boolean dynamicAllocation) {
    if (!TrainConfig.BARRIER.equals(t.averaging())) {
      return java.util.Optional.empty();
    }
    java.util.regex.Matcher m = LOCAL.matcher(master == null ? "" : master.trim());
    if (m.matches() && Integer.parseInt(m.group(1)) < t.workers()) {
      return java.util.Optional.of("train.workers: " + t.workers() + " workers need " + t.workers()
          + " task slots at once with train.averaging = barrier, and " + master + " has " + m.group(1)
          + " (lower train.workers, raise N in local[N], or set train.averaging = dl4j-spark)");
    }
    if (dynamicAllocation) {
      return java.util.Optional.of("train.averaging = barrier does not run with spark.dynamicAllocation.enabled = "
          + "true (Spark's barrier stages refuse it): disable dynamic allocation for training, or set "
          + "train.averaging = dl4j-spark");
    }
    return java.util.Optional.empty();
  }

  /**
   * {@link #barrierProblem} before Spark starts: the master and dynamic allocation as spark-submit set them (as
   * system properties of the driver JVM), else the configured {@code spark.master}.
   */
  public static java.util.Optional<String> preflightProblem(TrainConfig t, String configuredMaster) {
    return barrierProblem(t, System.getProperty("spark.master", configuredMaster),
        Boolean.parseBoolean(System.getProperty("spark.dynamicAllocation.enabled", "false")));
  }

  /** Fails at once when {@link #barrierProblem} finds one in the running Spark application. */
  public static void checkBarrier(JavaSparkContext jsc, TrainConfig t) {
    barrierProblem(t, jsc.master(), jsc.getConf().getBoolean("spark.dynamicAllocation.enabled", false))
        .ifPresent(p -> {
          throw new IllegalStateException(p);
        });
  }

  /** {@code train.averaging}'s trainer for {@code graph} (which it trains in place). */
  public static AveragingTrainer trainer(JavaSparkContext jsc, ComputationGraph graph, TrainConfig t,
      String exportDirectory) {
    if (TrainConfig.BARRIER.equals(t.averaging())) {
      checkBarrier(jsc, t);
      return new BarrierAveraging(jsc, graph, t.workers(), t.averagingFrequency(), t.prefetchBatches(),
          t.averageUpdaters());
    }
    SparkComputationGraph trainer = dl4jSpark(jsc, graph, t, exportDirectory);
    return new AveragingTrainer() {
      @Override
      public ComputationGraph network() {
        return trainer.getNetwork();
      }

      @Override
      public void fitEpoch(JavaRDD<MultiDataSet> batches) {
        ParameterAveraging.fitEpoch(trainer, batches);
      }

      @Override
      public void fitEpoch(JavaRDD<MultiDataSet> batches, LongAccumulator progress) {
        FittedExamples counting = new FittedExamples(progress);
        trainer.getTrainingMaster().addHook(counting);
        try {
          ParameterAveraging.fitEpoch(trainer, batches);
        } finally {
          trainer.getTrainingMaster().removeHook(counting);
        }
      }

      @Override
      public double score() {
        return trainer.getScore();
      }
    };
  }

  /**
   * dl4j-spark's trainer of {@code graph} with {@link #master}, its workers going on from the driver's iteration
   * count in every averaging round ({@link ContinuedIterationCount}).
   */
  public static SparkComputationGraph dl4jSpark(JavaSparkContext jsc, ComputationGraph graph, TrainConfig t,
      String exportDirectory) {
    SparkComputationGraph trainer = new SparkComputationGraph(jsc, graph, master(t, exportDirectory));
    trainer.getTrainingMaster().addHook(new ContinuedIterationCount(trainer));
    return trainer;
  }

  public static ParameterAveragingTrainingMaster master(TrainConfig t, String exportDirectory) {
    ParameterAveragingTrainingMaster.Builder b =
        new ParameterAveragingTrainingMaster.Builder(t.workers(), t.batchSizePerWorker())
            .batchSizePerWorker(t.batchSizePerWorker())
            .averagingFrequency(t.averagingFrequency())
            .workerPrefetchNumBatches(t.prefetchBatches())
            .saveUpdater(t.averageUpdaters())
            // TrainJob gives the training images max(train.workers, 2) partitions, so with 2+ workers each
            // averaging round's split already has one partition per worker holding averaging-frequency
            // minibatches (one more in a few rounds): nothing to repartition. Always re-counted every round's
            // split in a Spark job of its own and shuffled the minibatches whenever a share was off by one.
            .repartionData(Repartition.NumPartitionsWorkersDiffers)
            // the minibatches are CompactMinibatch: cache them serialised, as bytes, never with their arrays
            .storageLevel(StorageLevel.MEMORY_AND_DISK_SER())
            .rngSeed(t.seed());
    if ("export".equals(t.rddTrainingApproach())) {
      b.rddTrainingApproach(RDDTrainingApproach.Export).exportDirectory(exportDirectory);
    } else {
      b.rddTrainingApproach(RDDTrainingApproach.Direct);
    }
    return b.build();
  }

  /**
   * One pass over {@code batches} with parameter averaging. dl4j-spark persists the RDD it is given (direct
   * approach) and never releases it; released here, else every epoch's minibatches would stay cached.
   */
  public static void fitEpoch(SparkComputationGraph trainer, JavaRDD<MultiDataSet> batches) {
    try {
      trainer.fitMultiDataSet(batches);
      trainer.getTrainingMaster().deleteTempFiles(trainer.getSparkContext());
    } finally {
      batches.unpersist(false);
    }
  }
}
