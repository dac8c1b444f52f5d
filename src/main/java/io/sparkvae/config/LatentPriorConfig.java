package io.sparkvae.config;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The Gaussian mixture fitted over the VAE's latent space after training (model.latent-prior): candidate component
 * counts (the one with the best val log-likelihood is kept), how many training images, EM iterations.
 */
public record LatentPriorConfig(int[] components, int maxImages, int maxIterations) implements Serializable {
  static LatentPriorConfig from(ConfigReader r) {
    int[] components = r.intList("components", 0, 4096);
    if (components.length > 1) {
      for (int k : components) {
        if (k == 0) {
          r.problem("model.latent-prior.components: 0 (fit none) cannot be one of several candidates, got "
              + Arrays.toString(components));
          break;
        }
      }
    }
    return new LatentPriorConfig(components, r.integer("max-images", 0, 10_000_000),
        r.integer("max-iterations", 1, 100_000));
  }

  /** False when the config asks for no mixture ({@code components = [0]}). */
  public boolean enabled() {
    return components[0] > 0;
  }
}
