package io.sparkvae.train;

import java.io.IOException;
import java.io.ObjectOutputStream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Makes dl4j-spark's workers go on from the driver's iteration and epoch counts in every averaging round.
 *
 * <p>{@code ParameterAveragingTrainingWorker} builds each round's network from a clone of the broadcast
 * configuration, and DL4J 1.0.0-M2.1's {@code ComputationGraphConfiguration.clone()} copies neither count: without
 * this hook every round starts again at iteration 0 (the driver's own count does go on). Adam's bias correction then
 * starts again too, and with the averaged moments already warm it scales each step by √(1 − β₂ᵗ) / (1 − β₁ᵗ):
 * 0.32, 0.24, 0.20, 0.18 and 0.17 of the intended step for t = 1 … 5, so at averaging frequency 5 the workers trained
 * at about a fifth of the learning rate. {@link BarrierAveraging} sets the counts itself.
 *
 * <p>The driver's counts travel in the hook: Spark serialises it with each round's tasks, after the driver has
 * counted the previous round, and {@link #writeObject} reads them then. On the worker, before the round's first
 * minibatch, a count below the driver's is raised to it.
 */
final class ContinuedIterationCount implements TrainingHook {
  private static final long serialVersionUID = 1L;

  private final transient SparkComputationGraph driver;
  private int iterations;
  private int epochs;

  /** The hook for {@code driver}'s training master. */
  ContinuedIterationCount(SparkComputationGraph driver) {
    this.driver = driver;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    if (driver != null) {
      ComputationGraphConfiguration c = driver.getNetwork().getConfiguration();
      iterations = c.getIterationCount();
      epochs = c.getEpochCount();
    }
    out.defaultWriteObject();
  }

  private void raise(Model model) {
    if (!(model instanceof ComputationGraph graph)) {
      throw new IllegalArgumentException("spark-vae trains ComputationGraphs, got " + model.getClass().getName());
    }
    ComputationGraphConfiguration c = graph.getConfiguration();
    if (c.getIterationCount() < iterations) {
      c.setIterationCount(iterations);
    }
    if (c.getEpochCount() < epochs) {
      c.setEpochCount(epochs);
    }
  }

  @Override
  public void preUpdate(MultiDataSet minibatch, Model model) {
    raise(model);
  }

  @Override
  public void preUpdate(DataSet minibatch, Model model) {
    raise(model);
  }

  @Override
  public void postUpdate(MultiDataSet minibatch, Model model) {}

  @Override
  public void postUpdate(DataSet minibatch, Model model) {}
}
