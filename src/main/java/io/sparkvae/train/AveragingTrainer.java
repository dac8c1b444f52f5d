package io.sparkvae.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Trains a network on the driver's behalf, one epoch at a time, with parameter averaging across Spark tasks:
 * {@link BarrierAveraging} ({@code train.averaging = barrier}, the default) or dl4j-spark's
 * {@code ParameterAveragingTrainingMaster} ({@code train.averaging = dl4j-spark}), built by
 * {@link ParameterAveraging#trainer}.
 */
public interface AveragingTrainer {
  /** The driver's network: set its learning rate (or other configuration) before an epoch; read it after. */
  ComputationGraph network();

  /** One pass over {@code batches}; afterwards {@link #network()} holds the averaged parameters. */
  void fitEpoch(JavaRDD<MultiDataSet> batches);

  /**
   * As {@link #fitEpoch(JavaRDD)}, the workers adding each fitted minibatch's examples to {@code progress} (for
   * {@link io.sparkvae.cli.JobProgress}).
   */
  void fitEpoch(JavaRDD<MultiDataSet> batches, LongAccumulator progress);

  /** The mean loss of the minibatches of the last epoch's last averaging round (DL4J's score). */
  double score();
}
