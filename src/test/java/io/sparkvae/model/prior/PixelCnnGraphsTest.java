package io.sparkvae.model.prior;

import io.sparkvae.model.layers.CopyingActivationLayer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.layers.NativeConv2D;
import io.sparkvae.model.prior.MaskedConv2D.MaskType;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The PixelCNN graph: the masking proof (logits at (i, j) never depend on codes at or after (i, j), and do depend
 * on earlier ones), with a leaking variant to show the proof can fail; the score in nats; the one-hot helpers; JSON
 * and ModelSerializer round trips.
 */
class PixelCnnGraphsTest {

    /** Small K and grid, F = 16, the minimum R = 5: random initialisation is all the masking proof needs. */
    static final PixelCnnSpec SPEC = new PixelCnnSpec(16, 6, 6, 16, 5, 1e-3, 3L);

    /** Absolute tolerance on logits for "unchanged" (float; the logits here are of order 1). */
    private static final double SAME = 1e-6;
    /** Smallest logit change counted as "changed". */
    private static final double CHANGED = 1e-4;

    static int[][] randomGrids(int n, PixelCnnSpec spec, long seed) {
        Random r = new Random(seed);
        int[][] grids = new int[n][spec.positions()];
        for (int[] g : grids) {
            for (int p = 0; p < g.length; p++) {
                g[p] = r.nextInt(spec.numCodes());
            }
        }
        return grids;
    }

    /** A code different from c. */
    private static int other(int c, Random r, int k) {
        return (c + 1 + r.nextInt(k - 1)) % k;
    }

    /** One changed grid and the position whose logits it is checked at. */
    private record Variant(int position, int[] grid) {
    }

    /** The result of the causality check: how many variants broke it, and how many were required to change. */
    private record Causality(int leaks, int unchangedWhenRequired, int checked, int exact, String firstLeak) {
    }

    /**
     * For every position p of a random base grid: variants that change codes at or after p (the whole suffix
     * redrawn, p alone, two random single positions after p), which must leave the logits at p unchanged; and
     * variants that change codes before p (the left neighbour, the one above, the whole prefix redrawn), which
     * must change them. All variants and the base go through the graph in one batch.
     */
    private static Causality checkCausality(ComputationGraph graph, PixelCnnSpec spec, long seed) {
        Random r = new Random(seed);
        int k = spec.numCodes();
        int w = spec.width();
        int positions = spec.positions();
        int[] base = randomGrids(1, spec, seed)[0];
        List<Variant> future = new ArrayList<>();
        List<Variant> past = new ArrayList<>();
        for (int p = 0; p < positions; p++) {
            int[] suffix = base.clone();
            for (int q = p; q < positions; q++) {
                suffix[q] = q == p ? other(base[q], r, k) : r.nextInt(k);
            }
            future.add(new Variant(p, suffix));
            int[] self = base.clone();
            self[p] = other(base[p], r, k);
            future.add(new Variant(p, self));
            for (int t = 0; t < 2 && p < positions - 1; t++) {
                int q = p + 1 + r.nextInt(positions - 1 - p);
                int[] one = base.clone();
                one[q] = other(base[q], r, k);
                future.add(new Variant(p, one));
            }
            if (p % w > 0) {
                int[] left = base.clone();
                left[p - 1] = other(base[p - 1], r, k);
                past.add(new Variant(p, left));
            }
            if (p >= w) {
                int[] above = base.clone();
                above[p - w] = other(base[p - w], r, k);
                past.add(new Variant(p, above));
            }
            if (p > 0) {
                int[] prefix = base.clone();
                for (int q = 0; q < p; q++) {
                    prefix[q] = other(base[q], r, k);
                }
                past.add(new Variant(p, prefix));
            }
        }
        int[][] batch = new int[1 + future.size() + past.size()][];
        batch[0] = base;
        for (int i = 0; i < future.size(); i++) {
            batch[1 + i] = future.get(i).grid();
        }
        for (int i = 0; i < past.size(); i++) {
            batch[1 + future.size() + i] = past.get(i).grid();
        }
        INDArray logits = PixelCnnGraphs.logits(graph,
                PixelCnnGraphs.toOneHot(batch, spec.height(), spec.width(), k));
        int leaks = 0;
        int exact = 0;
        String firstLeak = null;
        for (int i = 0; i < future.size(); i++) {
            double diff = logitChange(logits, 1 + i, future.get(i).position(), w);
            if (diff > SAME) {
                leaks++;
                if (firstLeak == null) {
                    firstLeak = "position " + future.get(i).position() + ": |Δ logits| = " + diff;
                }
            }
            exact += diff == 0 ? 1 : 0;
        }
        int unchanged = 0;
        for (int i = 0; i < past.size(); i++) {
            if (logitChange(logits, 1 + future.size() + i, past.get(i).position(), w) < CHANGED) {
                unchanged++;
            }
        }
        return new Causality(leaks, unchanged, future.size() + past.size(), exact, firstLeak);
    }

    /** max_k |logits[example, k, p] − logits[0, k, p]|. */
    private static double logitChange(INDArray logits, int example, int p, int w) {
        INDArray at = logits.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(p / w),
                NDArrayIndex.point(p % w));
        return at.getRow(example).sub(at.getRow(0)).amaxNumber().doubleValue();
    }

    private static ComputationGraph graph(ComputationGraphConfiguration conf) {
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Test
    void logitsAtEachPositionDependOnlyOnEarlierCodes() {
        ComputationGraph g = PixelCnnGraphs.newTrainingGraph(SPEC);
        Causality c = checkCausality(g, SPEC, 21);
        assertEquals(0, c.leaks(), "codes at or after a position changed its logits: " + c.firstLeak());
        assertEquals(0, c.unchangedWhenRequired(),
                "logits ignored a change of the left / upper neighbour or of the whole prefix");
        // with exact zeros in the masks the unchanged logits come out bit-identical; report it if that ever changes
        System.out.println("PixelCNN causality: " + c.checked() + " variants, " + c.exact()
                + " bit-identical where unchanged");
    }

    @Test
    void causalityCheckCatchesAFirstLayerThatSeesItsCentre() {
        ComputationGraph leaky = graph(PixelCnnGraphs.config(SPEC, DataType.FLOAT, new Adam(1e-3), MaskType.B));
        Causality c = checkCausality(leaky, SPEC, 21);
        assertTrue(c.leaks() >= SPEC.positions(), "a type-B first layer must leak each position's own code, got "
                + c.leaks() + " leaks");
    }

    @Test
    void inferenceAndTrainingForwardPassesAgree() {
        // the residual skips share their input with a ReLU layer: an in-place inference ReLU (DL4J's
        // ActivationLayer) made score(data, false) and feedForward(x, false) disagree with training-mode passes
        ComputationGraph g = PixelCnnGraphs.newTrainingGraph(SPEC);
        MultiDataSet data = PixelCnnGraphs.toMultiDataSet(randomGrids(3, SPEC, 4), SPEC);
        INDArray[] in = data.getFeatures();
        Map<String, INDArray> training = g.feedForward(in, true);
        Map<String, INDArray> inference = g.feedForward(in, false);
        for (int i = 0; i < SPEC.residualBlocks(); i++) {
            MaskedConv2DTest.assertArrayClose(PixelCnnGraphs.block(i), training.get(PixelCnnGraphs.block(i)),
                    inference.get(PixelCnnGraphs.block(i)));
        }
        INDArray logits = training.get(PixelCnnGraphs.LOGITS);
        MaskedConv2DTest.assertArrayClose("logits", logits, inference.get(PixelCnnGraphs.LOGITS));
        MaskedConv2DTest.assertArrayClose("logits", logits, PixelCnnGraphs.logits(g, in[0]));
        MaskedConv2DTest.assertArrayClose("probabilities", training.get(PixelCnnGraphs.OUTPUT), g.outputSingle(in));
        assertEquals(g.score(data, true), g.score(data, false), 1e-4);
    }

    @Test
    void scoreIsGridNllAndUniformLogitsGiveLnKPerCode() {
        ComputationGraph g = PixelCnnGraphs.newTrainingGraph(SPEC);
        g.getLayer(PixelCnnGraphs.LOGITS).getParam("W").assign(0);
        g.getLayer(PixelCnnGraphs.LOGITS).getParam("b").assign(0);
        MultiDataSet data = PixelCnnGraphs.toMultiDataSet(randomGrids(5, SPEC, 6), SPEC);
        double score = g.score(data, false);
        assertEquals(SPEC.positions() * Math.log(SPEC.numCodes()), score, 1e-3);
        assertEquals(Math.log(SPEC.numCodes()), PixelCnnGraphs.natsPerCode(score, SPEC), 1e-5);
    }

    @Test
    void oneHotHelpersAgreeAndInvert() {
        int[][] grids = randomGrids(4, SPEC, 8);
        INDArray fromInts = PixelCnnGraphs.toOneHot(grids, SPEC.height(), SPEC.width(), SPEC.numCodes());
        assertArrayEquals(new long[] {4, 16, 6, 6}, fromInts.shape());
        assertEquals(4.0 * 36, fromInts.sumNumber().doubleValue());
        INDArray asArray = Nd4j.createFromArray(grids).reshape(4, 6, 6);
        assertEquals(fromInts, PixelCnnGraphs.toOneHot(asArray, SPEC.numCodes()));
        assertArrayEquals(grids, PixelCnnGraphs.fromOneHot(fromInts));
        assertEquals(2.0, fromInts.getDouble(1, grids[1][2 * 6 + 3], 2, 3) + fromInts.getDouble(0, grids[0][0], 0, 0));
        MultiDataSet mds = PixelCnnGraphs.toMultiDataSet(asArray, SPEC);
        assertEquals(fromInts, mds.getFeatures(0));
        assertEquals(fromInts, mds.getLabels(0));

        int[][] bad = {grids[0].clone()};
        bad[0][5] = 16;
        assertThrows(IllegalArgumentException.class, () -> PixelCnnGraphs.toMultiDataSet(bad, SPEC));
        assertThrows(IllegalArgumentException.class, () -> PixelCnnGraphs.toMultiDataSet(new int[][] {{1, 2}}, SPEC));
        assertEquals(Math.log(2), PixelCnnGraphs.unigramEntropyNats(new int[][] {{0, 1}, {1, 0}}, 4), 1e-12);
    }

    @Test
    void specValidatesAndDefaults() {
        PixelCnnSpec spec = PixelCnnSpec.of(512, 8, 8);
        assertEquals(64, spec.hiddenChannels());
        assertEquals(5, spec.residualBlocks());
        assertEquals(64, spec.positions());
        assertThrows(IllegalArgumentException.class, () -> new PixelCnnSpec(16, 6, 6, 16, 4, 1e-3, 1));
        assertThrows(IllegalArgumentException.class, () -> new PixelCnnSpec(1, 6, 6, 16, 5, 1e-3, 1));
        assertThrows(IllegalArgumentException.class, () -> new PixelCnnSpec(16, 0, 6, 16, 5, 1e-3, 1));
        assertThrows(IllegalArgumentException.class, () -> new PixelCnnSpec(16, 6, 6, 16, 5, 0, 1));
    }

    @Test
    void configKeepsLayerClassesAndMaskTypesThroughJson() {
        ComputationGraphConfiguration conf = PixelCnnGraphs.trainingConfig(SPEC);
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        assertEquals(MaskType.A, masked(back, PixelCnnGraphs.MASKED_A).getMaskType());
        for (int i = 0; i < SPEC.residualBlocks(); i++) {
            assertEquals(MaskType.B, masked(back, PixelCnnGraphs.blockMasked(i)).getMaskType());
            assertEquals(NativeConv2D.class, layerConf(back, PixelCnnGraphs.blockPointwise(i)).getClass());
        }
        assertEquals(CopyingActivationLayer.class, layerConf(back, PixelCnnGraphs.blockRelu(0)).getClass());
        NativeConv2D embed = (NativeConv2D) layerConf(back, PixelCnnGraphs.EMBED);
        assertTrue(!embed.hasBias(), "the embedding is a table: no bias");
        assertEquals(NativeConv2D.class, layerConf(back, PixelCnnGraphs.LOGITS).getClass());
    }

    private static Object layerConf(ComputationGraphConfiguration conf, String name) {
        return ((LayerVertex) conf.getVertices().get(name)).getLayerConf().getLayer();
    }

    private static MaskedConv2D masked(ComputationGraphConfiguration conf, String name) {
        Object layer = layerConf(conf, name);
        assertEquals(MaskedConv2D.class, layer.getClass(), name);
        return (MaskedConv2D) layer;
    }

    @Test
    void modelSerializerRoundTripKeepsClassesOutputsAndUpdater(@TempDir Path dir) throws Exception {
        ComputationGraph g = PixelCnnGraphs.newTrainingGraph(SPEC);
        MultiDataSet data = PixelCnnGraphs.toMultiDataSet(randomGrids(4, SPEC, 10), SPEC);
        g.fit(data); // non-trivial parameters and Adam state
        File file = dir.resolve("prior.zip").toFile();
        ModelSerializer.writeModel(g, file, true);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(file, true);
        assertEquals(g.getConfiguration(), back.getConfiguration());
        assertInstanceOf(MaskedConvolutionLayer.class, back.getLayer(PixelCnnGraphs.MASKED_A));
        assertInstanceOf(MaskedConvolutionLayer.class, back.getLayer(PixelCnnGraphs.blockMasked(0)));
        assertEquals(g.params(), back.params());
        assertEquals(g.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
        INDArray in = data.getFeatures(0);
        assertEquals(g.outputSingle(in), back.outputSingle(in));
        assertEquals(PixelCnnGraphs.logits(g, in), PixelCnnGraphs.logits(back, in));
    }
}
