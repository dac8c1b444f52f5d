package io.sparkvae.model;

import io.sparkvae.config.AppConfig;
import io.sparkvae.config.ModelConfig;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.RunPaths;
import io.sparkvae.model.vae.ModelStore;
import io.sparkvae.model.vqvae.VqVaeSpec;

/** A run's {@code model.zip} as a step that uses the trained model reads it: its bytes and the model they hold. */
public record RunModel(byte[] bytes, ModelStore.Stored stored) {
  /** The image shape the model takes and makes. */
  public ImageSpec imageSpec() {
    return (ImageSpec) stored.spec();
  }

  /** Whether it is a VQ-VAE (else a VAE). */
  public boolean vq() {
    return stored.spec() instanceof VqVaeSpec;
  }

  /**
   * Reads the run's model for inference (without its Adam state); a model of another kind than
   * {@code model.type} names is an error naming both.
   */
  public static RunModel read(HadoopFiles files, AppConfig config) {
    String path = RunPaths.of(config).model();
    byte[] bytes = files.readBytes(path);
    RunModel model = new RunModel(bytes, ModelStore.fromBytesAny(bytes, false));
    if (model.vq() != ModelConfig.VQVAE.equals(config.model().type())) {
      throw new IllegalArgumentException(path + " holds a " + (model.vq() ? "VQ-VAE" : "VAE")
          + " but model.type is " + config.model().type() + "; set model.type to match the run");
    }
    return model;
  }
}
