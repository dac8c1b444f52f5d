package io.sparkvae.model.vae;

/** Reconstruction likelihood of the VAE decoder: Gaussian with fixed σ, or per-pixel Bernoulli (binary cross-entropy). */
public enum Likelihood {
    /** Gaussian with fixed σ: score Σ (x − x̂)² / (2σ²) (constant term reported separately). */
    GAUSSIAN,
    /** Bernoulli: binary cross-entropy of the pixel intensities in [0, 1]. */
    BERNOULLI
}
