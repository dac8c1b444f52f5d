package io.sparkvae.model.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.prior.MaskedConv2D.MaskType;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A few seconds of training on grids with strong spatial structure: every grid is one code repeated, the code drawn
 * uniformly from the first 8 of K = 16. The unigram entropy is ln 8 nats per code; a model using the context pays
 * ln 8 once per grid, (ln 8) / 36 per code. The test asserts the NLL falls well below both ln K and the unigram
 * entropy, that the samples of the trained model are (mostly) constant grids of the used codes, and that training
 * never moved a masked weight.
 */
class PixelCnnTrainingTest {

    private static final PixelCnnSpec SPEC = new PixelCnnSpec(16, 6, 6, 32, 5, 3e-3, 5L);
    private static final int USED_CODES = 8;
    private static final int BATCH = 32;
    private static final int STEPS = 40;

    private static ComputationGraph graph;
    private static double initialNll;
    private static double trainedNll;
    private static double unigram;

    static int[][] constantGrids(int n, Random r) {
        int[][] grids = new int[n][];
        for (int i = 0; i < n; i++) {
            grids[i] = new int[SPEC.positions()];
            java.util.Arrays.fill(grids[i], r.nextInt(USED_CODES));
        }
        return grids;
    }

    @BeforeAll
    static void train() {
        graph = PixelCnnGraphs.newTrainingGraph(SPEC);
        int[][] heldOut = constantGrids(256, new Random(999));
        Random r = new Random(1);
        MultiDataSet eval = PixelCnnGraphs.toMultiDataSet(heldOut, SPEC);
        unigram = PixelCnnGraphs.unigramEntropyNats(heldOut, SPEC.numCodes());
        initialNll = PixelCnnGraphs.natsPerCode(graph.score(eval, false), SPEC);
        long start = System.nanoTime();
        for (int step = 0; step < STEPS; step++) {
            graph.fit(PixelCnnGraphs.toMultiDataSet(constantGrids(BATCH, r), SPEC));
        }
        trainedNll = PixelCnnGraphs.natsPerCode(graph.score(eval, false), SPEC);
        System.out.printf("PixelCNN tiny training: %d steps in %.1f s, NLL %.3f -> %.3f nats/code "
                + "(ln K %.3f, unigram %.3f, ideal %.3f)%n", STEPS, (System.nanoTime() - start) / 1e9, initialNll,
                trainedNll, Math.log(SPEC.numCodes()), unigram, Math.log(USED_CODES) / SPEC.positions());
    }

    @Test
    void nllFallsWellBelowLnKAndTheUnigramEntropy() {
        assertEquals(Math.log(USED_CODES), unigram, 0.05);
        assertTrue(trainedNll < 0.25 * unigram, "NLL " + trainedNll + " nats/code vs unigram " + unigram);
        assertTrue(trainedNll < 0.25 * Math.log(SPEC.numCodes()), "NLL " + trainedNll);
        assertTrue(trainedNll < initialNll / 4, "NLL " + initialNll + " -> " + trainedNll);
    }

    /**
     * Samples at T = 1 are constant grids. Position (0, 0) sees no code: its distribution is the learnt marginal,
     * which only the output biases carry and which after 40 steps still puts some mass on the 8 unused codes; a
     * grid that starts with one is out of the training distribution, so the structure is checked on the others.
     */
    @Test
    void samplesReproduceTheStructure() {
        long[] seeds = new long[48];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = PixelCnnSampler.sampleSeed(77, i);
        }
        int[][] grids = new PixelCnnSampler(graph, SPEC, 16).sample(seeds, 1.0);
        int inDistribution = 0;
        int constant = 0;
        long agreeing = 0;
        boolean[] firstCodes = new boolean[SPEC.numCodes()];
        for (int[] g : grids) {
            if (g[0] >= USED_CODES) {
                continue;
            }
            inDistribution++;
            firstCodes[g[0]] = true;
            int same = 0;
            for (int c : g) {
                same += c == g[0] ? 1 : 0;
            }
            agreeing += same;
            constant += same == g.length ? 1 : 0;
        }
        double agreement = (double) agreeing / ((long) inDistribution * SPEC.positions());
        int distinct = 0;
        for (boolean b : firstCodes) {
            distinct += b ? 1 : 0;
        }
        System.out.printf("PixelCNN samples: %d/%d start with a used code; of those %d constant, %.4f of codes "
                + "equal to the first, %d distinct first codes%n", inDistribution, grids.length, constant, agreement,
                distinct);
        assertTrue(inDistribution >= grids.length / 2, inDistribution + " of " + grids.length
                + " grids start with a used code");
        assertTrue(agreement > 0.98, "codes equal to their grid's first: " + agreement);
        assertTrue(constant >= 0.8 * inDistribution, constant + " constant grids of " + inDistribution);
        assertTrue(distinct >= 5, "samples cover the used codes: " + distinct + " distinct first codes");
    }

    @Test
    void trainingNeverMovedAMaskedWeight() {
        for (String name : new String[] {PixelCnnGraphs.MASKED_A, PixelCnnGraphs.blockMasked(0),
                PixelCnnGraphs.blockMasked(SPEC.residualBlocks() - 1)}) {
            INDArray w = graph.getLayer(name).getParam("W");
            MaskType type = ((MaskedConv2D) graph.getLayer(name).conf().getLayer()).getMaskType();
            INDArray mask = MaskedConv2D.weightMask(type, w.shape(), DataType.FLOAT);
            assertEquals(0.0, Transforms.abs(w.mul(mask.rsub(1))).maxNumber().doubleValue(), name);
        }
    }
}
