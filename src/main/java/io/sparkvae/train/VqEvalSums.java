package io.sparkvae.train;

import io.sparkvae.model.vqvae.CodeUsage;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Summed VQ-VAE evaluation terms of some val images: squared error, code usage counts, the sum of per-batch
 * perplexities, and a few encoder outputs (rows of z_e) kept for dead-code restarts.
 */
public record VqEvalSums(long images, double squaredError, long[] usage, double perplexitySum, long batches,
    List<float[]> encoderRows) implements Serializable {

  public static VqEvalSums zero(int codebookSize) {
    return new VqEvalSums(0, 0, new long[codebookSize], 0, 0, List.of());
  }

  public VqEvalSums plus(VqEvalSums o) {
    List<float[]> rows = new ArrayList<>(encoderRows);
    rows.addAll(o.encoderRows);
    return new VqEvalSums(images + o.images, squaredError + o.squaredError, CodeUsage.plus(usage, o.usage),
        perplexitySum + o.perplexitySum, batches + o.batches, rows);
  }
}
