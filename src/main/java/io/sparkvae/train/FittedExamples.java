package io.sparkvae.train;

import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Counts the examples dl4j-spark's workers fit into an accumulator, after each minibatch: the in-epoch progress
 * that {@link BarrierAveraging}'s workers report themselves.
 */
final class FittedExamples implements TrainingHook {
  private static final long serialVersionUID = 1L;

  private final LongAccumulator examples;

  FittedExamples(LongAccumulator examples) {
    this.examples = examples;
  }

  @Override
  public void postUpdate(MultiDataSet minibatch, Model model) {
    examples.add(minibatch.getFeatures(0).size(0));
  }

  @Override
  public void postUpdate(DataSet minibatch, Model model) {
    examples.add(minibatch.numExamples());
  }

  @Override
  public void preUpdate(MultiDataSet minibatch, Model model) {}

  @Override
  public void preUpdate(DataSet minibatch, Model model) {}
}
