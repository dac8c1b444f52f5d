package io.sparkvae.io;

import io.sparkvae.config.AppConfig;

/** Where each output of a run lives under {@code <output-root>/runs/<run-id>/}. */
public record RunPaths(String runDir) {
  public static RunPaths of(AppConfig config) {
    return new RunPaths(config.runDir());
  }

  public String model() {
    return runDir + "/model.zip";
  }

  public String metrics() {
    return runDir + "/metrics.jsonl";
  }

  public String plots() {
    return runDir + "/plots";
  }

  /** The trained model's scores on a split of the prepared dataset, written by {@code evaluate}. */
  public String eval() {
    return runDir + "/eval.json";
  }

  /** Reconstructions of the evaluated split's first images, written by {@code evaluate}. */
  public String evalReconstructions() {
    return runDir + "/plots/eval-reconstructions.png";
  }

  public String samples() {
    return runDir + "/samples";
  }

  /** The VQ-VAE's code grids of the prepared dataset, written by {@code encode}. */
  public String codes() {
    return runDir + "/codes";
  }

  /** The PixelCNN prior over the code grids, written by {@code train-prior}. */
  public String prior() {
    return runDir + "/prior.zip";
  }

  /** Which VQ-VAE's codes the prior models ({@link VqLineage}), written with each {@link #prior()}. */
  public String priorInfo() {
    return runDir + "/prior.json";
  }

  /** One JSON line per prior epoch. */
  public String priorMetrics() {
    return runDir + "/prior-metrics.jsonl";
  }

  /** The VAE's Gaussian mixture over z, fitted at the end of {@code train}. */
  public String latentPrior() {
    return runDir + "/latent-prior.json";
  }

  public String samplesSheet() {
    return runDir + "/samples.png";
  }
}
