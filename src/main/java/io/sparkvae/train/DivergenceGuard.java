package io.sparkvae.train;

import org.deeplearning4j.nn.graph.ComputationGraph;

/** Stops training when the loss or the parameters stop being finite, before anything is saved. */
public final class DivergenceGuard {
  private DivergenceGuard() {}

  /**
   * Throws {@link TrainingDivergedException} naming the epoch, the iteration reached and the last good
   * checkpoint when the loss or any parameter is NaN or infinite.
   */
  public static void check(double loss, ComputationGraph graph, int epoch, long iteration, String lastGood) {
    check(loss, graph, epoch, iteration, lastGood, "Lower train.learning-rate and rerun with the same run-id to "
        + "resume from that checkpoint, or change the model (e.g. raise model.gaussian-sigma) and rerun with --fresh.");
  }

  /** As {@link #check(double, ComputationGraph, int, long, String)}, the message ending in {@code advice}. */
  public static void check(double loss, ComputationGraph graph, int epoch, long iteration, String lastGood,
      String advice) {
    // a NaN or an infinity anywhere makes the sum non-finite
    boolean finiteParams = Double.isFinite(graph.params().sumNumber().doubleValue());
    if (!Double.isFinite(loss) || !finiteParams) {
      throw new TrainingDivergedException("training diverged in epoch " + epoch + " (by iteration " + iteration
          + "): loss " + loss + (finiteParams ? "" : " and non-finite parameters")
          + "; nothing of this epoch was saved, the last good checkpoint is " + lastGood
          + ". " + advice);
    }
  }
}
