package io.sparkvae.train;

import io.sparkvae.config.TrainConfig;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** Builds dl4j-spark's parameter-averaging training master from the training config, and runs its epochs. */
public final class ParameterAveraging {
  private ParameterAveraging() {}

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
