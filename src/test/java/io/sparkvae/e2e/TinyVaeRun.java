package io.sparkvae.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * Arguments of a small VAE run in local[2] (400 synthetic 16x16 images, encoder 8-16, latent 8, 2 workers), shared
 * by the tests that exercise the pipeline's operations (fault tolerance, HDFS) rather than its quality.
 */
public final class TinyVaeRun {
  private TinyVaeRun() {}

  /** {@code command} with the tiny-run settings under {@code outputRoot} and {@code runId}; a mutable list. */
  public static List<String> args(String command, String outputRoot, String runId) {
    return new ArrayList<>(List.of(command, "--set", "output-root=" + outputRoot,
        "--set", "run-id=" + runId, "--set", "spark.master=local[2]",
        "--set", "data.synthetic.count=400", "--set", "data.synthetic.image-size=16",
        "--set", "data.synthetic.partitions=2",
        "--set", "model.encoder-channels=[8,16]", "--set", "model.latent-dim=8",
        "--set", "model.kl-warmup-epochs=0",
        "--set", "train.workers=2", "--set", "train.batch-size-per-worker=16",
        "--set", "train.averaging-frequency=3", "--set", "train.max-val-images=64"));
  }
}
