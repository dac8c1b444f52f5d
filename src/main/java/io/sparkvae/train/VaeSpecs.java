package io.sparkvae.train;

import io.sparkvae.config.AppConfig;
import io.sparkvae.config.ModelConfig;
import io.sparkvae.model.vae.Likelihood;
import io.sparkvae.model.vae.VaeSpec;

/** Builds the model spec from the configuration and the dataset's image shape. */
public final class VaeSpecs {
  private VaeSpecs() {}

  public static VaeSpec of(AppConfig config, ImageShape shape) {
    ModelConfig m = config.model();
    return new VaeSpec(shape.height(), shape.width(), shape.channels(), m.encoderChannels(),
        m.latentDim(), Likelihood.valueOf(m.likelihood().toUpperCase(java.util.Locale.ROOT)),
        m.gaussianSigma(), m.beta(), m.logVarMin(), m.logVarMax(), config.train().learningRate(),
        config.train().seed());
  }

  /** KL weight for a 0-based epoch: beta ramped linearly over the warm-up epochs. */
  public static double klWeight(ModelConfig m, int epoch) {
    if (m.klWarmupEpochs() <= 0) {
      return m.beta();
    }
    return m.beta() * Math.min(1.0, (epoch + 1.0) / m.klWarmupEpochs());
  }
}
