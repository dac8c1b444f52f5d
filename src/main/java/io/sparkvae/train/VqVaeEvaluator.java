package io.sparkvae.train;

import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.model.vqvae.CodeUsage;
import io.sparkvae.model.vqvae.Codebooks;
import io.sparkvae.model.vqvae.VqVaeGraphs;
import io.sparkvae.model.vqvae.VqVaeSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reconstruction error, code usage and perplexity of a VQ-VAE on batches of images. */
public final class VqVaeEvaluator {
  private static final int BATCH = 128;
  private final VqVaeSpec spec;
  private final ComputationGraph graph;
  private final ComputationGraph encoder;
  private final INDArray codebook;
  private final int keepRows;

  /** @param keepRows encoder-output rows to keep for dead-code restarts (spread over the images seen) */
  public VqVaeEvaluator(ComputationGraph graph, VqVaeSpec spec, int keepRows) {
    this.spec = spec;
    this.graph = graph;
    this.encoder = VqVaeGraphs.encoder(graph, spec);
    this.codebook = Codebooks.codebook(graph);
    this.keepRows = keepRows;
  }

  /** Evaluates every image of an iterator (HWC uint8 pixels), a batch at a time. */
  public VqEvalSums evaluate(Iterator<byte[]> pixels) {
    VqEvalSums sums = VqEvalSums.zero(spec.codebookSize());
    List<byte[]> chunk = new ArrayList<>(BATCH);
    while (pixels.hasNext()) {
      chunk.add(pixels.next());
      if (chunk.size() == BATCH || !pixels.hasNext()) {
        sums = sums.plus(evaluate(ImageTensors.toBatch(chunk, spec.height(), spec.width(), spec.channels()),
            Math.max(0, keepRows - sums.encoderRows().size())));
        chunk.clear();
      }
    }
    return sums;
  }

  /** Evaluates one NCHW batch in [0, 1], keeping at most {@code keep} encoder-output rows. */
  VqEvalSums evaluate(INDArray x, int keep) {
    INDArray recon = graph.outputSingle(false, x);
    double se = recon.sub(x).norm2Number().doubleValue();
    INDArray rows = Codebooks.rows(encoder.outputSingle(false, x));
    int[] codes = Codebooks.nearest(rows, codebook);
    long[] usage = CodeUsage.counts(codes, spec.codebookSize());
    List<float[]> kept = new ArrayList<>();
    long step = Math.max(1, rows.rows() / Math.max(1, Math.min(keep, rows.rows())));
    for (long r = 0; r < rows.rows() && kept.size() < keep; r += step) {
      kept.add(rows.getRow(r).toFloatVector());
    }
    return new VqEvalSums(x.size(0), se * se, usage, Codebooks.perplexity(usage), 1, kept);
  }
}
