package io.sparkvae.sample;

import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.model.GraphBytes;
import io.sparkvae.model.vae.LatentMixture;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.sql.catalyst.InternalRow;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;

/**
 * On an executor: decodes fixed blocks of sample ids into sample rows. Blocks are the unit of work
 * and never depend on the partitioning, so every row is the same whatever {@code sample.partitions}.
 */
public final class SampleBlocks implements Serializable {
  /** What every task needs to decode: the spec and the decoder alone, in the form that restores fastest. */
  public record Decoder(VaeSpec spec, GraphBytes graph) implements Serializable {
    /** Cuts the decoder from a trained VAE. */
    public static Decoder of(ComputationGraph trained, VaeSpec spec) {
      return new Decoder(spec, GraphBytes.of(VaeGraphs.decoder(trained, spec)));
    }
  }

  private final Broadcast<Decoder> model;
  private final Broadcast<LatentMixture> mixture;
  private final String runId;
  private final long count;
  private final int blockSize;
  private final long seed;
  private final double temperature;
  private final LongAccumulator progress;

  /**
   * @param mixture the fitted prior over z, or null to draw z from N(0, I)
   * @param progress counts the samples made, for the driver's progress lines; null for none
   */
  public SampleBlocks(Broadcast<Decoder> model, Broadcast<LatentMixture> mixture, String runId, long count,
      int blockSize, long seed, double temperature, LongAccumulator progress) {
    this.model = model;
    this.mixture = mixture;
    this.runId = runId;
    this.count = count;
    this.blockSize = blockSize;
    this.seed = seed;
    this.temperature = temperature;
    this.progress = progress;
  }

  /** Number of blocks covering {@code count} samples. */
  public static int blocks(long count, int blockSize) {
    return (int) ((count + blockSize - 1) / blockSize);
  }

  /**
   * Rows of every block in this partition, made block by block as they are consumed; the decoder is restored
   * once per partition. Each image goes from the decoder's float output straight into its PNG.
   */
  public Iterator<InternalRow> rows(Iterator<Integer> blocks) {
    if (!blocks.hasNext()) {
      return List.<InternalRow>of().iterator();
    }
    VaeSpec spec = model.value().spec();
    ComputationGraph decoder = model.value().graph().restore();
    LatentSampler sampler = new LatentSampler(seed, spec.latentDim(), temperature,
        mixture == null ? null : mixture.value());
    int d = spec.latentDim();
    SampleRows out = new SampleRows(runId, spec.height(), spec.width(), spec.channels());
    return out.byBlock(blocks, blockSize, count, progress, (from, n) -> {
      float[] latents = sampler.latentValues(from, n);
      float[] images =
          ImageTensors.hwcValues(decoder.outputSingle(false, Nd4j.create(latents, new long[] {n, d}, 'c')));
      List<InternalRow> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long id = from + i;
        rows.add(out.vae(images, i, id, sampler.seedOf(id), latents, d));
      }
      return rows;
    });
  }
}
