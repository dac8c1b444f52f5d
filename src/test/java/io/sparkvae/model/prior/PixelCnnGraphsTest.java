package io.sparkvae.model.prior;

import io.sparkvae.model.layers.CopyingActivationLayer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.layers.DoublePrecision;
import io.sparkvae.model.layers.LayerChecks;
import io.sparkvae.model.layers.NativeConv2D;
import io.sparkvae.model.prior.MaskedConv2D.MaskType;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * The PixelCNN graph: the masking proof (logits at (i, j) never depend on codes at or after (i, j), and do depend
 * on earlier ones), with a leaking variant to show the proof can fail; the same logits, score and gradients as the
 * former one-hot graph holding the same weights; the score in nats; the input helpers; JSON and ModelSerializer
 * round trips.
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
        INDArray logits = PixelCnnGraphs.logits(graph, PixelCnnGraphs.toInput(batch, spec));
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
            LayerChecks.assertClose(PixelCnnGraphs.block(i), training.get(PixelCnnGraphs.block(i)),
                    inference.get(PixelCnnGraphs.block(i)));
        }
        INDArray logits = training.get(PixelCnnGraphs.LOGITS);
        LayerChecks.assertClose("logits", logits, inference.get(PixelCnnGraphs.LOGITS));
        LayerChecks.assertClose("logits", logits, PixelCnnGraphs.logits(g, in[0]));
        LayerChecks.assertClose("probabilities", training.get(PixelCnnGraphs.OUTPUT), g.outputSingle(in));
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
    void inputHelpersAgreeAndValidate() {
        int[][] grids = randomGrids(4, SPEC, 8);
        INDArray in = PixelCnnGraphs.toInput(grids, SPEC);
        assertArrayEquals(new long[] {4, 1, 6, 6}, in.shape());
        assertEquals(DataType.FLOAT, in.dataType());
        assertEquals(grids[1][2 * 6 + 3], in.getDouble(1, 0, 2, 3));
        INDArray asArray = Nd4j.createFromArray(grids).reshape(4, 6, 6);
        assertEquals(in, PixelCnnGraphs.toInput(asArray, SPEC));
        MultiDataSet mds = PixelCnnGraphs.toMultiDataSet(asArray, SPEC);
        assertEquals(in, mds.getFeatures(0));
        assertEquals(in, mds.getLabels(0));
        MultiDataSet fromInts = PixelCnnGraphs.toMultiDataSet(grids, SPEC);
        assertEquals(in, fromInts.getFeatures(0));
        assertEquals(in, fromInts.getLabels(0));

        int[][] bad = {grids[0].clone()};
        bad[0][5] = 16;
        assertThrows(IllegalArgumentException.class, () -> PixelCnnGraphs.toMultiDataSet(bad, SPEC));
        assertThrows(IllegalArgumentException.class, () -> PixelCnnGraphs.toMultiDataSet(new int[][] {{1, 2}}, SPEC));
        INDArray fractional = asArray.castTo(DataType.FLOAT);
        fractional.putScalar(new long[] {2, 3, 4}, 1.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PixelCnnGraphs.toMultiDataSet(fractional, SPEC));
        assertTrue(e.getMessage().contains("[2, 0, 3, 4]"), e.getMessage());
        INDArray negative = asArray.dup();
        negative.putScalar(new long[] {0, 0, 0}, -1);
        assertThrows(IllegalArgumentException.class, () -> PixelCnnGraphs.toInput(negative, SPEC));
        assertThrows(IllegalArgumentException.class, () -> PixelCnnGraphs.toInput(Nd4j.zeros(4, 6, 5), SPEC));
        assertEquals(Math.log(2), PixelCnnGraphs.unigramEntropyNats(new int[][] {{0, 1}, {1, 0}}, 4), 1e-12);

        // the one-hot helpers, kept for the comparison with the one-hot graph
        INDArray oneHot = PixelCnnGraphs.toOneHot(grids, SPEC.height(), SPEC.width(), SPEC.numCodes());
        assertArrayEquals(new long[] {4, 16, 6, 6}, oneHot.shape());
        assertEquals(4.0 * 36, oneHot.sumNumber().doubleValue());
        assertEquals(oneHot, PixelCnnGraphs.toOneHot(asArray, SPEC.numCodes()));
        assertArrayEquals(grids, PixelCnnGraphs.fromOneHot(oneHot));
        assertEquals(1.0, oneHot.getDouble(1, grids[1][2 * 6 + 3], 2, 3));
    }

    /**
     * The former graph: one-hot codes [N, K, h, w] into a 1×1 NativeConv2D without bias, and CnnLossLayer with
     * LossMCXENT against the one-hot codes; the body is the same.
     */
    static ComputationGraphConfiguration oneHotConfig(PixelCnnSpec spec, DataType dataType) {
        var g = PixelCnnGraphs.builder(spec, dataType, new NoOp()).addInputs(PixelCnnGraphs.INPUT)
                .setInputTypes(InputType.convolutional(spec.height(), spec.width(), spec.numCodes()));
        g.addLayer(PixelCnnGraphs.EMBED, PixelCnnGraphs.pointwise(spec.hiddenChannels(), Activation.IDENTITY)
                .hasBias(false).weightInit(new NormalDistribution(0, 1)).build(), PixelCnnGraphs.INPUT);
        PixelCnnGraphs.addBody(g, spec, MaskType.A, PixelCnnGraphs.EMBED);
        g.addLayer(PixelCnnGraphs.OUTPUT, new CnnLossLayer.Builder(new LossMCXENT()).activation(Activation.SOFTMAX)
                .build(), PixelCnnGraphs.LOGITS);
        return g.setOutputs(PixelCnnGraphs.OUTPUT).build();
    }

    /**
     * With the same weights (the one-hot graph's 1×1 weight [F, K, 1, 1] holding W[k, f] at [f, k, 0, 0]), the
     * compact graph computes the same logits, the same score and the same gradients (the embedding's transposed)
     * as the one-hot graph, in float to 1e-5.
     */
    @Test
    void matchesTheOneHotGraphWithTheSameWeights() {
        ComputationGraph compact = graph(PixelCnnGraphs.trainingConfig(SPEC, DataType.FLOAT, new NoOp()));
        ComputationGraph oneHot = graph(oneHotConfig(SPEC, DataType.FLOAT));
        // random biases too (fresh ones are zero), so that every parameter is compared meaningfully
        Nd4j.getRandom().setSeed(17);
        compact.setParams(Nd4j.rand(DataType.FLOAT, compact.params().shape()).subi(0.5));
        for (Map.Entry<String, INDArray> p : compact.paramTable().entrySet()) {
            if (p.getKey().equals(PixelCnnGraphs.EMBED + "_W")) {
                INDArray table = p.getValue(); // [K, F]
                oneHot.setParam(p.getKey(), table.transpose().dup('c').reshape(SPEC.hiddenChannels(),
                        SPEC.numCodes(), 1, 1));
            } else {
                oneHot.setParam(p.getKey(), p.getValue().dup());
            }
        }
        int[][] grids = randomGrids(5, SPEC, 12);
        grids[1] = grids[0].clone(); // repeated codes within and across grids
        MultiDataSet compactData = PixelCnnGraphs.toMultiDataSet(grids, SPEC);
        INDArray hot = PixelCnnGraphs.toOneHot(grids, SPEC.height(), SPEC.width(), SPEC.numCodes());
        MultiDataSet oneHotData = new MultiDataSet(new INDArray[] {hot}, new INDArray[] {hot});

        LayerChecks.assertClose("logits", PixelCnnGraphs.logits(oneHot, hot),
                PixelCnnGraphs.logits(compact, compactData.getFeatures(0)));
        double expected = oneHot.score(oneHotData, false);
        assertEquals(expected, compact.score(compactData, false), 1e-5 * Math.abs(expected));
        assertEquals(oneHot.score(oneHotData, true), compact.score(compactData, true), 1e-5 * Math.abs(expected));
        LayerChecks.assertClose("scores per example", oneHot.scoreExamples(oneHotData, false),
                compact.scoreExamples(compactData, false));

        Map<String, INDArray> e = gradients(oneHot, oneHotData);
        Map<String, INDArray> a = gradients(compact, compactData);
        assertEquals(oneHot.score(), compact.score(), 1e-5 * Math.abs(expected));
        assertEquals(e.keySet(), a.keySet());
        for (String key : e.keySet()) {
            INDArray actual = a.get(key);
            if (key.equals(PixelCnnGraphs.EMBED + "_W")) {
                actual = actual.transpose().dup('c').reshape(SPEC.hiddenChannels(), SPEC.numCodes(), 1, 1);
            }
            LayerChecks.assertClose("gradient " + key, e.get(key), actual);
        }
    }

    /** A seed gives the initial weights the one-hot graph had (its embedding weight is the table, transposed). */
    @Test
    void seedGivesTheOneHotGraphsInitialWeights() {
        ComputationGraph compact = graph(PixelCnnGraphs.trainingConfig(SPEC, DataType.FLOAT, new NoOp()));
        ComputationGraph oneHot = graph(oneHotConfig(SPEC, DataType.FLOAT));
        INDArray table = compact.getLayer(PixelCnnGraphs.EMBED).getParam("W");
        assertArrayEquals(new long[] {SPEC.numCodes(), SPEC.hiddenChannels()}, table.shape());
        assertEquals(oneHot.getLayer(PixelCnnGraphs.EMBED).getParam("W").reshape(SPEC.hiddenChannels(),
                SPEC.numCodes()), table.transpose());
        assertEquals(1.0, table.stdNumber().doubleValue(), 0.1, "N(0, 1) entries");
        for (String key : compact.paramTable().keySet()) {
            if (!key.startsWith(PixelCnnGraphs.EMBED + "_")) {
                assertEquals(oneHot.getParam(key), compact.getParam(key), key);
            }
        }
    }

    private static Map<String, INDArray> gradients(ComputationGraph g, MultiDataSet data) {
        g.setInputs(data.getFeatures());
        g.setLabels(data.getLabels());
        g.computeGradientAndScore();
        return g.gradient().gradientForVariable();
    }

    /**
     * The whole graph in double, every parameter random, against DL4J's numerical gradient: the embedding's
     * scatter-add, the masked layers and the sparse loss together. Small sizes keep it to ~1,000 parameters.
     * The absolute floor is 1e-8, not 1e-9: the score is a sum over 16 positions of order 25, whose rounding
     * (~25 · 1e-16) over the central difference's 2e-6 alone makes ~1e-9 of the numerical gradient, and a few
     * gradients of order 1e-4 came out with absolute differences of 2e-9 to 6e-9.
     */
    @Test
    void wholeGraphPassesGradientCheckInDouble() {
        PixelCnnSpec tiny = new PixelCnnSpec(5, 4, 4, 3, 5, 1e-3, 9L);
        try (DoublePrecision ignored = new DoublePrecision()) {
            ComputationGraph g = graph(PixelCnnGraphs.trainingConfig(tiny, DataType.DOUBLE, new NoOp()));
            Nd4j.getRandom().setSeed(23);
            g.setParams(Nd4j.rand(DataType.DOUBLE, g.params().shape()).subi(0.5));
            INDArray codes = PixelCnnGraphs.toInput(randomGrids(3, tiny, 24), tiny).castTo(DataType.DOUBLE);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                    .inputs(new INDArray[] {codes}).labels(new INDArray[] {codes}).epsilon(1e-6)
                    .maxRelError(1e-5).minAbsoluteError(1e-8).exitOnFirstError(false));
            assertTrue(ok, "gradient check of the whole PixelCNN failed");
        }
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
        CodeEmbedding embed = (CodeEmbedding) layerConf(back, PixelCnnGraphs.EMBED);
        assertEquals(SPEC.numCodes(), embed.getNumCodes());
        assertEquals(SPEC.hiddenChannels(), embed.getNOut());
        assertEquals(NativeConv2D.class, layerConf(back, PixelCnnGraphs.LOGITS).getClass());
        SparseCnnLossLayer loss = (SparseCnnLossLayer) layerConf(back, PixelCnnGraphs.OUTPUT);
        assertInstanceOf(LossSparseMCXENT.class, loss.getLossFn());
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
        assertInstanceOf(CodeEmbeddingLayer.class, back.getLayer(PixelCnnGraphs.EMBED));
        assertInstanceOf(SparseCnnLossLayer.Impl.class, back.getLayer(PixelCnnGraphs.OUTPUT));
        assertEquals(g.params(), back.params());
        assertEquals(g.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
        INDArray in = data.getFeatures(0);
        assertEquals(g.outputSingle(in), back.outputSingle(in));
        assertEquals(PixelCnnGraphs.logits(g, in), PixelCnnGraphs.logits(back, in));
        assertEquals(g.score(data, false), back.score(data, false), 0.0);
    }
}
