package io.sparkvae.train;

import org.deeplearning4j.nn.graph.ComputationGraph;

/** Stops training when the loss or the parameters stop being finite, before anything is saved. */
public final class DivergenceGuard {
  private DivergenceGuard() {}

  public static void check(double loss, ComputationGraph graph, int epoch, String lastModel) {
    // a NaN or an infinity anywhere makes the sum non-finite
    boolean finiteParams = Double.isFinite(graph.params().sumNumber().doubleValue());
    if (!Double.isFinite(loss) || !finiteParams) {
      throw new IllegalStateException("training diverged in epoch " + epoch + ": loss " + loss
          + (finiteParams ? "" : " and non-finite parameters")
          + "; the last good model (previous epoch, if any) is kept at " + lastModel
          + ". Lower train.learning-rate or raise model.gaussian-sigma.");
    }
  }
}
