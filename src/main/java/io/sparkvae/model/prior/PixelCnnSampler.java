package io.sparkvae.model.prior;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Draws code grids from a trained PixelCNN prior, autoregressively in raster order: for each position (i, j), one
 * inference forward pass over the whole batch gives the logits at (i, j) given the codes drawn so far, and each
 * sample draws its code from softmax(logits / T).
 *
 * <p>Reproducibility: sample n draws with its own {@link SplittableRandom} seeded by {@code seeds[n]}, one draw per
 * position, so a grid depends on its seed alone, not on the batch it was drawn in nor on its place there (the
 * network treats the examples of a batch independently, and the not-yet-drawn positions cannot influence the
 * logits through the masks). What could still differ is the last bit of a logit if the native convolution rounds
 * differently for another batch size; a draw changes only if its uniform number falls within that rounding of a
 * boundary of the cumulative distribution, about 1e-7 per draw.
 *
 * <p>Cost: h·w forward passes per batch (64 for an 8×8 grid). The pass for a position in row i runs on rows 0..i
 * only: through the masks no output in row i reads a lower row, and a missing row is the zero padding a masked
 * weight would have multiplied anyway; on average this halves the work ((h + 1) / 2h of the full grid). The
 * input, code indices [n, 1, h, w], is one array per batch size, updated in place (one entry per sample and
 * position); positions not drawn yet hold code 0, which the masks hide from the positions being drawn. Only the K
 * logits of the current position are copied to the JVM.
 *
 * <p>Not thread-safe, and neither is the graph's partial output call it uses: one sampler and one graph per thread.
 */
public final class PixelCnnSampler {

    /** Default number of samples per forward pass. */
    public static final int DEFAULT_BATCH_SIZE = 64;

    private final ComputationGraph graph;
    private final int numCodes;
    private final int height;
    private final int width;
    private final int batchSize;
    private final DataType dataType;
    private INDArray input;

    /** A sampler over a graph built by {@link PixelCnnGraphs} for {@code spec}, 64 samples per forward pass. */
    public PixelCnnSampler(ComputationGraph graph, PixelCnnSpec spec) {
        this(graph, spec, DEFAULT_BATCH_SIZE);
    }

    /** A sampler over a graph built by {@link PixelCnnGraphs} for {@code spec}, batchSize samples per pass. */
    public PixelCnnSampler(ComputationGraph graph, PixelCnnSpec spec, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (graph.getLayer(PixelCnnGraphs.LOGITS) == null || graph.getLayer(PixelCnnGraphs.EMBED) == null) {
            throw new IllegalArgumentException("graph has no '" + PixelCnnGraphs.EMBED + "' or '"
                    + PixelCnnGraphs.LOGITS + "' layer: not a PixelCNN of PixelCnnGraphs");
        }
        Object embed = graph.getLayer(PixelCnnGraphs.EMBED).conf().getLayer();
        if (!(embed instanceof CodeEmbedding)) {
            throw new IllegalArgumentException("graph's '" + PixelCnnGraphs.EMBED + "' layer is a "
                    + embed.getClass().getSimpleName() + ", not a CodeEmbedding: a prior built for one-hot input "
                    + "by an earlier version; train it again");
        }
        long graphCodes = ((CodeEmbedding) embed).getNumCodes();
        if (graphCodes != spec.numCodes()) {
            throw new IllegalArgumentException("graph embeds " + graphCodes + " codes, spec says " + spec.numCodes());
        }
        this.graph = graph;
        this.numCodes = spec.numCodes();
        this.height = spec.height();
        this.width = spec.width();
        this.batchSize = batchSize;
        this.dataType = graph.getConfiguration().getDataType();
    }

    /**
     * A seed for sample {@code sampleId} of a job seeded {@code baseSeed}: SplitMix64's finaliser of their
     * combination, so that neighbouring ids get unrelated streams and a sample's seed does not depend on how the
     * ids are partitioned.
     */
    public static long sampleSeed(long baseSeed, long sampleId) {
        long z = baseSeed + (sampleId + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * One code grid per seed, [seeds.length][h·w] in raster order, drawn at temperature T: T = 1 samples the
     * model, T &lt; 1 sharpens it, T = 0 takes the arg-max at every position (greedy; ties to the lowest code).
     */
    public int[][] sample(long[] seeds, double temperature) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        int[][] grids = new int[seeds.length][];
        for (int from = 0; from < seeds.length; from += batchSize) {
            int to = Math.min(seeds.length, from + batchSize);
            int[][] batch = sampleBatch(Arrays.copyOfRange(seeds, from, to), temperature);
            System.arraycopy(batch, 0, grids, from, batch.length);
        }
        return grids;
    }

    private int[][] sampleBatch(long[] seeds, double temperature) {
        int n = seeds.length;
        int positions = height * width;
        SplittableRandom[] rngs = new SplittableRandom[n];
        int[][] grids = new int[n][positions];
        for (int s = 0; s < n; s++) {
            rngs[s] = new SplittableRandom(seeds[s]);
        }
        INDArray in = inputFor(n);
        double[] weights = new double[numCodes];
        List<String> logitsLayer = List.of(PixelCnnGraphs.LOGITS);
        for (int i = 0; i < height; i++) {
            // rows below i cannot reach row i through the masks: run the network on rows 0..i only
            INDArray rows = i == height - 1 ? in
                    : in.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, i + 1),
                            NDArrayIndex.all()).dup('c');
            INDArray[] features = {rows};
            for (int j = 0; j < width; j++) {
                INDArray logits = graph.output(logitsLayer, false, features, null)[0];
                float[][] here = logits.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(i),
                        NDArrayIndex.point(j)).castTo(DataType.FLOAT).toFloatMatrix();
                logits.close();
                for (int s = 0; s < n; s++) {
                    int code = draw(here[s], temperature, rngs[s], weights);
                    grids[s][i * width + j] = code;
                    in.putScalar(new long[] {s, 0, i, j}, code);
                    if (rows != in) {
                        rows.putScalar(new long[] {s, 0, i, j}, code);
                    }
                }
            }
            if (rows != in) {
                rows.close();
            }
        }
        return grids;
    }

    /** The code input [n, 1, h, w] for n samples, all code 0 (none drawn yet), reusing the last batch's array. */
    private INDArray inputFor(int n) {
        if (input == null || input.size(0) != n) {
            input = Nd4j.create(dataType, n, 1, height, width);
        } else {
            input.assign(0);
        }
        return input;
    }

    /**
     * One categorical draw from softmax(logits / T), with one uniform number from {@code rng} whatever T (so the
     * streams of different temperatures stay aligned); T = 0 is the arg-max.
     */
    static int draw(float[] logits, double temperature, SplittableRandom rng, double[] weights) {
        double u = rng.nextDouble();
        int best = 0;
        for (int k = 1; k < logits.length; k++) {
            if (logits[k] > logits[best]) {
                best = k;
            }
        }
        if (temperature == 0) {
            return best;
        }
        double max = logits[best];
        double total = 0;
        for (int k = 0; k < logits.length; k++) {
            weights[k] = Math.exp((logits[k] - max) / temperature);
            total += weights[k];
        }
        double target = u * total;
        double cumulative = 0;
        int last = best;
        for (int k = 0; k < logits.length; k++) {
            if (weights[k] > 0) {
                cumulative += weights[k];
                last = k;
                if (target < cumulative) {
                    return k;
                }
            }
        }
        return last; // only if rounding left u·total at the full sum: the last code with any mass
    }
}
