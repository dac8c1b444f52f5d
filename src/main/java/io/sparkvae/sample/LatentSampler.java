package io.sparkvae.sample;

import io.sparkvae.data.SplitAssigner;
import io.sparkvae.model.vae.LatentMixture;
import java.io.Serializable;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Draws z for a sample id from a seed derived only from (job seed, id): from N(0, temperature² I), or, given a
 * fitted {@link LatentMixture}, from that mixture with each component's standard deviations scaled by temperature.
 *
 * @param mixture the fitted prior over z, or null for N(0, I)
 */
public record LatentSampler(long seed, int latentDim, double temperature, LatentMixture mixture)
    implements Serializable {

  /** Checks that a mixture, if any, is over {@code latentDim} dimensions. */
  public LatentSampler {
    if (mixture != null && mixture.dim() != latentDim) {
      throw new IllegalArgumentException("the latent prior is over " + mixture.dim() + " dimensions but the model's "
          + "z has " + latentDim);
    }
  }

  /** Draws from N(0, temperature² I). */
  public LatentSampler(long seed, int latentDim, double temperature) {
    this(seed, latentDim, temperature, null);
  }

  /** The seed of one sample, stored in the samples table. */
  public long seedOf(long sampleId) {
    return SplitAssigner.mix64(seed, sampleId);
  }

  public float[] latent(long sampleId) {
    SplittableRandom r = new SplittableRandom(seedOf(sampleId));
    float[] z = new float[latentDim];
    if (mixture != null) {
      mixture.sample(r, temperature, z, 0);
      return z;
    }
    for (int i = 0; i < latentDim; i++) {
      z[i] = (float) (temperature * r.nextGaussian());
    }
    return z;
  }

  /** Latents of ids {@code from .. from+n-1} as an [n, latentDim] array. */
  public INDArray latents(long from, int n) {
    return Nd4j.create(latentValues(from, n), new long[] {n, latentDim}, 'c');
  }

  /** Latents of ids {@code from .. from+n-1}, row after row ({@code n * latentDim} values). */
  public float[] latentValues(long from, int n) {
    float[] all = new float[n * latentDim];
    for (int i = 0; i < n; i++) {
      System.arraycopy(latent(from + i), 0, all, i * latentDim, latentDim);
    }
    return all;
  }
}
