package io.sparkvae.train;

import io.sparkvae.config.TrainConfig;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;

/** Builds dl4j-spark's parameter-averaging training master from the training config. */
public final class ParameterAveraging {
  private ParameterAveraging() {}

  public static ParameterAveragingTrainingMaster master(TrainConfig t, String exportDirectory) {
    ParameterAveragingTrainingMaster.Builder b =
        new ParameterAveragingTrainingMaster.Builder(t.workers(), t.batchSizePerWorker())
            .batchSizePerWorker(t.batchSizePerWorker())
            .averagingFrequency(t.averagingFrequency())
            .workerPrefetchNumBatches(t.prefetchBatches())
            .saveUpdater(t.averageUpdaters())
            .repartionData(Repartition.Always)
            // INDArrays live off-heap: Spark cannot size them, so cache serialised only
            .storageLevel(StorageLevel.MEMORY_AND_DISK_SER())
            .rngSeed(t.seed());
    if ("export".equals(t.rddTrainingApproach())) {
      b.rddTrainingApproach(RDDTrainingApproach.Export).exportDirectory(exportDirectory);
    } else {
      b.rddTrainingApproach(RDDTrainingApproach.Direct);
    }
    return b.build();
  }
}
