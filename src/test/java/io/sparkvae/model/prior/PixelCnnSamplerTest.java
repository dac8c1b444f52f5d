package io.sparkvae.model.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.api.Layer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link PixelCnnSampler} on a randomly initialised prior: a grid depends only on its seed (not on the batch split
 * nor on its place in the batch), temperature 0 is the greedy arg-max decode and small temperatures approach it,
 * and the categorical draw follows softmax(logits / T).
 */
class PixelCnnSamplerTest {

    private static final PixelCnnSpec SPEC = PixelCnnGraphsTest.SPEC;
    private static ComputationGraph graph;

    @BeforeAll
    static void buildGraph() {
        graph = PixelCnnGraphs.newTrainingGraph(SPEC);
        // fresh biases are zero, so at (0, 0), which sees no code, all K logits would tie: randomise the biases
        Nd4j.getRandom().setSeed(31);
        for (Layer layer : graph.getLayers()) {
            INDArray b = layer.paramTable().get("b");
            if (b != null) {
                b.assign(Nd4j.rand(b.dataType(), b.shape()).subi(0.5));
            }
        }
    }

    @Test
    void gridDependsOnlyOnItsSeedWhateverTheBatchSplit() {
        long[] seeds = {11, 12, 13, 14, 15, 16, 17};
        int[][] oneBatch = new PixelCnnSampler(graph, SPEC, 7).sample(seeds, 1.0);
        int[][] threes = new PixelCnnSampler(graph, SPEC, 3).sample(seeds, 1.0);
        assertArrayEquals(oneBatch, threes);
        long[] shuffled = {17, 13, 99, 11, 16, 12, 15, 14};
        int[][] other = new PixelCnnSampler(graph, SPEC, 8).sample(shuffled, 1.0);
        for (int i = 0; i < shuffled.length; i++) {
            if (shuffled[i] != 99) {
                assertArrayEquals(oneBatch[(int) shuffled[i] - 11], other[i], "seed " + shuffled[i]);
            }
        }
        int[][] alone = new PixelCnnSampler(graph, SPEC, 1).sample(new long[] {14}, 1.0);
        assertArrayEquals(oneBatch[3], alone[0]);
        assertNotEquals(java.util.Arrays.toString(oneBatch[0]), java.util.Arrays.toString(oneBatch[1]),
                "different seeds draw different grids");
        for (int[] grid : oneBatch) {
            assertEquals(SPEC.positions(), grid.length);
            for (int c : grid) {
                assertTrue(c >= 0 && c < SPEC.numCodes());
            }
        }
    }

    /** The greedy decode, written independently: one example, one forward pass per position, arg-max of logits. */
    private static int[] greedy() {
        int w = SPEC.width();
        int[] grid = new int[SPEC.positions()];
        for (int p = 0; p < grid.length; p++) {
            INDArray logits = PixelCnnGraphs.logits(graph, PixelCnnGraphs.toInput(new int[][] {grid}, SPEC));
            grid[p] = logits.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(p / w),
                    NDArrayIndex.point(p % w)).argMax().getInt(0);
            // codes after p are still 0 in `grid`: the masks make them irrelevant
        }
        return grid;
    }

    @Test
    void zeroTemperatureIsGreedyAndSmallTemperaturesApproachIt() {
        int[] expected = greedy();
        long[] seeds = {1, 2, 3, 4};
        PixelCnnSampler sampler = new PixelCnnSampler(graph, SPEC, 4);
        for (int[] grid : sampler.sample(seeds, 0.0)) {
            assertArrayEquals(expected, grid);
        }
        for (int[] grid : sampler.sample(seeds, 1e-4)) {
            assertArrayEquals(expected, grid);
        }
        // agreement with the greedy decode grows as T falls
        long[] many = new long[16];
        for (int i = 0; i < many.length; i++) {
            many[i] = 100 + i;
        }
        PixelCnnSampler big = new PixelCnnSampler(graph, SPEC, 16);
        double hot = agreement(big.sample(many, 1.0), expected);
        double cold = agreement(big.sample(many, 0.05), expected);
        assertTrue(cold > hot && cold > 0.9, "agreement with greedy: T=1 " + hot + ", T=0.05 " + cold);
    }

    private static double agreement(int[][] grids, int[] expected) {
        long same = 0;
        for (int[] g : grids) {
            for (int p = 0; p < g.length; p++) {
                same += g[p] == expected[p] ? 1 : 0;
            }
        }
        return (double) same / ((long) grids.length * expected.length);
    }

    @Test
    void drawFollowsTemperedSoftmax() {
        float[] logits = {1.0f, 0.0f, -1.0f, 2.0f};
        for (double t : new double[] {1.0, 0.5, 2.0}) {
            double[] expected = new double[logits.length];
            double total = 0;
            for (int k = 0; k < logits.length; k++) {
                expected[k] = Math.exp(logits[k] / t);
                total += expected[k];
            }
            SplittableRandom rng = new SplittableRandom(5);
            double[] scratch = new double[logits.length];
            int n = 200_000;
            int[] counts = new int[logits.length];
            for (int i = 0; i < n; i++) {
                counts[PixelCnnSampler.draw(logits, t, rng, scratch)]++;
            }
            for (int k = 0; k < logits.length; k++) {
                double p = expected[k] / total;
                double sd = Math.sqrt(p * (1 - p) / n);
                assertEquals(p, (double) counts[k] / n, 5 * sd, "T=" + t + " code " + k);
            }
        }
        assertEquals(3, PixelCnnSampler.draw(logits, 0, new SplittableRandom(1), new double[4]));
    }

    @Test
    void rejectsBadArguments() {
        PixelCnnSampler sampler = new PixelCnnSampler(graph, SPEC);
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(new long[] {1}, -1));
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(new long[] {1}, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new PixelCnnSampler(graph, SPEC, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new PixelCnnSampler(graph, new PixelCnnSpec(32, 6, 6, 16, 5, 1e-3, 3L)));
        // a prior of the former one-hot graph (e.g. a stored prior.zip) is refused with a clear message
        ComputationGraph oneHot = new ComputationGraph(PixelCnnGraphsTest.oneHotConfig(SPEC,
                org.nd4j.linalg.api.buffer.DataType.FLOAT));
        oneHot.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PixelCnnSampler(oneHot, SPEC));
        assertTrue(e.getMessage().contains("CodeEmbedding"), e.getMessage());
        assertNotEquals(PixelCnnSampler.sampleSeed(7, 0), PixelCnnSampler.sampleSeed(7, 1));
        assertEquals(PixelCnnSampler.sampleSeed(7, 5), PixelCnnSampler.sampleSeed(7, 5));
        assertEquals(0, sampler.sample(new long[0], 1.0).length);
    }
}
