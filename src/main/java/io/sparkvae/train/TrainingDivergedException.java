package io.sparkvae.train;

/** The loss or the parameters stopped being finite: the run stops and is not retried. */
public final class TrainingDivergedException extends IllegalStateException {
  public TrainingDivergedException(String message) {
    super(message);
  }
}
