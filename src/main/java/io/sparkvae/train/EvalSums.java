package io.sparkvae.train;

import java.io.Serializable;

/**
 * Sums over evaluated images, merged across partitions: squared error of the posterior-mean
 * reconstruction, reconstruction negative log-likelihood of a posterior sample, and KL.
 */
public record EvalSums(long images, double squaredError, double reconNll, double kl)
    implements Serializable {
  public static final EvalSums ZERO = new EvalSums(0, 0, 0, 0);

  public EvalSums plus(EvalSums o) {
    return new EvalSums(images + o.images, squaredError + o.squaredError, reconNll + o.reconNll,
        kl + o.kl);
  }
}
