package io.sparkvae.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * Arguments of a small VQ-VAE run in local[2] (600 synthetic 16x16 images, a 4x4 grid of 16 codes of 8 dimensions,
 * a PixelCNN of 8 channels, 2 workers), shared by the VQ pipeline's test and the prior's fault-tolerance test.
 */
public final class TinyVqRun {
  private TinyVqRun() {}

  /** {@code command} with the tiny-run settings under {@code outputRoot} and {@code runId}; a mutable list. */
  public static List<String> args(String command, String outputRoot, String runId) {
    return new ArrayList<>(List.of(command, "--set", "output-root=" + outputRoot,
        "--set", "run-id=" + runId, "--set", "spark.master=local[2]",
        "--set", "data.synthetic.count=600", "--set", "data.synthetic.image-size=16",
        "--set", "data.synthetic.val-fraction=0.15", "--set", "data.synthetic.partitions=2",
        "--set", "model.type=vqvae", "--set", "model.vqvae.hidden-channels=16",
        "--set", "model.vqvae.residual-channels=8", "--set", "model.vqvae.embedding-dim=8",
        "--set", "model.vqvae.codebook-size=16",
        "--set", "train.epochs=3", "--set", "train.workers=2", "--set", "train.batch-size-per-worker=16",
        "--set", "train.averaging-frequency=3", "--set", "train.learning-rate=0.003",
        "--set", "prior.hidden-channels=8", "--set", "prior.epochs=2", "--set", "prior.batch-size-per-worker=16",
        "--set", "sample.count=40", "--set", "sample.batch-size=8"));
  }
}
