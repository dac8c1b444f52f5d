package io.sparkvae.bench;

import io.sparkvae.data.synthetic.ShapesGenerator;
import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.model.prior.PixelCnnGraphs;
import io.sparkvae.model.prior.PixelCnnSampler;
import io.sparkvae.model.prior.PixelCnnSpec;
import io.sparkvae.model.vqvae.Codebooks;
import io.sparkvae.model.vqvae.VqVaeGraphs;
import io.sparkvae.model.vqvae.VqVaeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The VQ path's speed in one JVM, no Spark, at the sizes of conf/local-vqvae.conf (32x32 images, hidden 64,
 * residual 32, an 8x8 grid of K = 512 codes of D = 64; PixelCNN F = 64, 5 residual blocks), batch 64:
 * VQ-VAE training img/s, prior training grids/s, and prior sampling img/s (draw the 64 cells of a grid one
 * by one, look the codes up, decode, as the sampling job does minus PNG and Parquet). Prints RESULT lines.
 *
 * <pre>VqBenchmark vqtrain N | priortrain N | priorsample N</pre>
 */
public final class VqBenchmark {
  private static final int BATCH = 64;
  static final VqVaeSpec VQ = new VqVaeSpec(32, 32, 3, 64, 32, 64, 512, 2, 0.25, true, 0.99, 1e-5, 0.15, 2e-3, 42);
  static final PixelCnnSpec PRIOR = new PixelCnnSpec(512, 8, 8, 64, 5, 2e-3, 42);

  private VqBenchmark() {}

  public static void main(String[] args) {
    String mode = args.length > 0 ? args[0] : "vqtrain";
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    switch (mode) {
      case "vqtrain" -> result("vq-train", vqTrain(n));
      case "priortrain" -> result("prior-train", priorTrain(n));
      case "priorsample" -> result("prior-sample", priorSample(n));
      default -> throw new IllegalArgumentException("mode: vqtrain N | priortrain N | priorsample N");
    }
  }

  /** graph.fit on batches of 64 synthetic images, after the VAE benchmark's warm-up; N minibatches timed. */
  static double vqTrain(int iterations) {
    ComputationGraph graph = VqVaeGraphs.newTrainingGraph(VQ);
    ShapesGenerator g = new ShapesGenerator(1, 32);
    List<MultiDataSet> batches = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      List<byte[]> imgs = new ArrayList<>();
      for (int i = 0; i < BATCH; i++) {
        imgs.add(g.generate(b * BATCH + i).pixels());
      }
      batches.add(VqVaeGraphs.toMultiDataSet(ImageTensors.toBatch(imgs, 32, 32, 3)));
    }
    Codebooks.initFromEncoderOutputs(graph, Codebooks.rows(VqVaeGraphs.encoder(graph, VQ).outputSingle(false,
        batches.get(0).getFeatures(0))), 1);
    return VaeBenchmark.timeFits(graph, batches, iterations);
  }

  /** PixelCNN fit on batches of 64 random code grids, after the same warm-up; N minibatches timed. */
  static double priorTrain(int iterations) {
    ComputationGraph graph = PixelCnnGraphs.newTrainingGraph(PRIOR);
    SplittableRandom rng = new SplittableRandom(3);
    List<MultiDataSet> batches = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      int[][] grids = new int[BATCH][64];
      for (int[] grid : grids) {
        for (int p = 0; p < grid.length; p++) {
          grid[p] = rng.nextInt(512);
        }
      }
      batches.add(PixelCnnGraphs.toMultiDataSet(grids, PRIOR));
    }
    return VaeBenchmark.timeFits(graph, batches, iterations);
  }

  /** N images: grids drawn from a fresh PixelCNN at temperature 1, looked up and decoded, 64 at a time. */
  static double priorSample(int images) {
    ComputationGraph prior = PixelCnnGraphs.newTrainingGraph(PRIOR);
    ComputationGraph vq = VqVaeGraphs.newTrainingGraph(VQ);
    ComputationGraph decoder = VqVaeGraphs.decoder(vq, VQ);
    INDArray codebook = Codebooks.codebook(vq);
    PixelCnnSampler sampler = new PixelCnnSampler(prior, PRIOR, BATCH);
    sampleBatch(sampler, decoder, codebook, 0); // warm-up
    long t0 = System.nanoTime();
    for (int from = 0; from < images; from += BATCH) {
      sampleBatch(sampler, decoder, codebook, from);
    }
    return images / ((System.nanoTime() - t0) / 1e9);
  }

  private static void sampleBatch(PixelCnnSampler sampler, ComputationGraph decoder, INDArray codebook, long from) {
    long[] seeds = new long[BATCH];
    for (int i = 0; i < BATCH; i++) {
      seeds[i] = PixelCnnSampler.sampleSeed(7, from + i);
    }
    int[][] grids = sampler.sample(seeds, 1.0);
    decoder.outputSingle(false, Codebooks.lookup(grids, codebook, 8, 8));
  }

  private static void result(String key, double value) {
    System.out.printf(Locale.ROOT, "RESULT %s %.2f%n", key, value);
  }
}
