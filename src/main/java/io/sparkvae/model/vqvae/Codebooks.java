package io.sparkvae.model.vqvae;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The jobs' view of a VQ-VAE graph's codebook: read it, map encoder outputs to codes and codes to decoder inputs,
 * and the training driver's per-epoch steps. Thin wrappers over {@link VectorQuantizerLayer} and
 * {@link CodeUsage} that find the layer named {@link VqVaeGraphs#VQ}.
 */
public final class Codebooks {

    private Codebooks() {
    }

    private static VectorQuantizerLayer layer(ComputationGraph graph) {
        return VectorQuantizerLayer.of(graph, VqVaeGraphs.VQ);
    }

    /** A copy of the codebook [K, D]. */
    public static INDArray codebook(ComputationGraph graph) {
        return layer(graph).getCodebook().dup();
    }

    /** Encoder outputs z_e [N, D, h, w] as rows [N·h·w, D], image by image and each in raster order. */
    public static INDArray rows(INDArray ze) {
        return VectorQuantizerLayer.rowsOf(ze);
    }

    /** The nearest code of each row [M, D]. */
    public static int[] nearest(INDArray rows, INDArray codebook) {
        return VectorQuantizerLayer.nearestCodes(rows, codebook.castTo(rows.dataType()));
    }

    /** Codebook rows for code grids [N][h·w] (raster order), as the decoder's input z_q [N, D, h, w]. */
    public static INDArray lookup(int[][] grids, INDArray codebook, int h, int w) {
        int[] flat = new int[grids.length * h * w];
        for (int i = 0; i < grids.length; i++) {
            System.arraycopy(grids[i], 0, flat, i * h * w, h * w);
        }
        return VectorQuantizerLayer.lookup(Nd4j.createFromArray(flat).reshape(grids.length, h, w), codebook);
    }

    /** Initialises the codebook (and EMA state) from encoder-output rows [M, D]. */
    public static void initFromEncoderOutputs(ComputationGraph graph, INDArray rows, long seed) {
        layer(graph).initCodebook(rows, seed);
    }

    /** After parameter averaging: the codebook from the averaged EMA statistics (no-op with EMA off). */
    public static void rederiveFromEma(ComputationGraph graph) {
        VectorQuantizerLayer.rederiveCodebooks(graph);
    }

    /** Re-seeds codes used fewer than {@code threshold} times from rows of {@code buffer}; returns how many. */
    public static int restartDeadCodes(ComputationGraph graph, long[] usage, int threshold, INDArray buffer,
            long seed) {
        return VectorQuantizerLayer.restartDeadCodes(layer(graph), usage, threshold, buffer, seed);
    }

    public static double perplexity(long[] usage) {
        return CodeUsage.perplexity(usage);
    }

    public static double usedFraction(long[] usage) {
        return CodeUsage.fractionUsed(usage);
    }
}
