package io.sparkvae.model;

/** The image shape a model takes and makes: what a VAE's and a VQ-VAE's spec have in common. */
public interface ImageSpec {
  int height();

  int width();

  int channels();
}
