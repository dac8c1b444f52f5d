package io.sparkvae.config;

import java.io.Serializable;

/** Hyper-parameters of the VQ-VAE (model.type = vqvae): widths, codebook, commitment, EMA and restarts. */
public record VqVaeConfig(int hiddenChannels, int residualChannels, int embeddingDim, int codebookSize,
    int downsamplings, double commitmentBeta, boolean ema, double emaDecay, double emaEpsilon,
    int restartThreshold) implements Serializable {
  static VqVaeConfig from(ConfigReader r) {
    return new VqVaeConfig(r.integer("hidden-channels", 1, 4096), r.integer("residual-channels", 1, 4096),
        r.integer("embedding-dim", 1, 4096), r.integer("codebook-size", 2, 65_536),
        r.integer("downsamplings", 1, 4), r.number("commitment-beta", 0, 100), r.bool("ema"),
        r.number("ema-decay", 0, 0.999999), r.number("ema-epsilon", 1e-12, 1),
        r.integer("restart-threshold", 0, 1_000_000));
  }
}
