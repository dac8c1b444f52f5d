package io.sparkvae.sample;

import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.model.prior.PixelCnnSampler;
import io.sparkvae.model.prior.PixelCnnSpec;
import io.sparkvae.model.vae.ModelStore;
import io.sparkvae.model.vqvae.Codebooks;
import io.sparkvae.model.vqvae.VqVaeGraphs;
import io.sparkvae.model.vqvae.VqVaeSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.sql.catalyst.InternalRow;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * On an executor: for fixed blocks of sample ids, draws code grids from the PixelCNN prior (one random stream per
 * sample, seeded from (sample.seed, id), so a row never depends on the partitioning), looks the codes up in the
 * codebook and decodes them with the VQ-VAE's decoder. Both models are loaded once per partition.
 */
public final class VqSampleBlocks implements Serializable {
  private final Broadcast<byte[]> vqvae;
  private final Broadcast<byte[]> prior;
  private final String runId;
  private final long count;
  private final int blockSize;
  private final long seed;
  private final double temperature;
  private final LongAccumulator progress;

  public VqSampleBlocks(Broadcast<byte[]> vqvae, Broadcast<byte[]> prior, String runId, long count,
      int blockSize, long seed, double temperature, LongAccumulator progress) {
    this.vqvae = vqvae;
    this.prior = prior;
    this.runId = runId;
    this.count = count;
    this.blockSize = blockSize;
    this.seed = seed;
    this.temperature = temperature;
    this.progress = progress;
  }

  /** Rows of every block in this partition, made block by block as they are consumed. */
  public Iterator<InternalRow> rows(Iterator<Integer> blocks) {
    if (!blocks.hasNext()) {
      return List.<InternalRow>of().iterator();
    }
    ModelStore.Stored vq = ModelStore.fromBytesAny(vqvae.value(), false);
    VqVaeSpec spec = (VqVaeSpec) vq.spec();
    ComputationGraph decoder = VqVaeGraphs.decoder(vq.graph(), spec);
    INDArray codebook = Codebooks.codebook(vq.graph());
    ModelStore.Stored p = ModelStore.fromBytesAny(prior.value(), false);
    PixelCnnSampler sampler = new PixelCnnSampler(p.graph(), (PixelCnnSpec) p.spec());
    int gh = spec.codeHeight();
    int gw = spec.codeWidth();
    SampleRows out = new SampleRows(runId, spec.height(), spec.width(), spec.channels());
    return out.byBlock(blocks, blockSize, count, progress, (from, n) -> {
      long[] seeds = new long[n];
      for (int i = 0; i < n; i++) {
        seeds[i] = PixelCnnSampler.sampleSeed(seed, from + i);
      }
      int[][] grids = sampler.sample(seeds, temperature);
      float[] images =
          ImageTensors.hwcValues(decoder.outputSingle(false, Codebooks.lookup(grids, codebook, gh, gw)));
      List<InternalRow> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        rows.add(out.vq(images, i, from + i, seeds[i], grids[i], gh, gw));
      }
      return rows;
    });
  }
}
