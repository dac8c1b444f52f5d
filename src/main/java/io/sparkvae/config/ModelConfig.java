package io.sparkvae.config;

import java.io.Serializable;

/** Model hyper-parameters that do not depend on the data (image size comes from the dataset). */
public record ModelConfig(String type, int[] encoderChannels, int latentDim, String likelihood,
    double gaussianSigma, double beta, int klWarmupEpochs, double logVarMin, double logVarMax,
    LatentPriorConfig latentPrior, VqVaeConfig vqvae)
    implements Serializable {
  public static final String VAE = "vae";
  public static final String VQVAE = "vqvae";

  static ModelConfig from(ConfigReader r) {
    String type = r.oneOf("type", VAE, VQVAE);
    int[] channels = r.intList("encoder-channels", 1, 4096);
    if (channels.length > 6) {
      r.problem("model.encoder-channels: at most 6 stride-2 layers, got " + channels.length);
    }
    double min = r.number("logvar-min", -30, 10);
    double max = r.number("logvar-max", -10, 30);
    if (min >= max) {
      r.problem("model.logvar-min (" + min + ") must be below model.logvar-max (" + max + ")");
    }
    return new ModelConfig(type, channels, r.integer("latent-dim", 1, 65_536),
        r.oneOf("likelihood", "gaussian", "bernoulli"), r.number("gaussian-sigma", 1e-4, 10),
        r.number("beta", 0, 1e4), r.integer("kl-warmup-epochs", 0, 100_000), min, max,
        LatentPriorConfig.from(r.at("latent-prior")), VqVaeConfig.from(r.at("vqvae")));
  }
}
