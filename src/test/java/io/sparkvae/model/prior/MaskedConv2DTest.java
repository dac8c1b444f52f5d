package io.sparkvae.model.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.layers.DoublePrecision;
import io.sparkvae.model.layers.LayerChecks;
import io.sparkvae.model.prior.MaskedConv2D.MaskType;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link MaskedConv2D}: DL4J's gradient check in double precision, exact zeros in the gradient of masked weights,
 * the same outputs and gradients as DL4J's stock ConvolutionLayer holding the pre-masked weights (float, 1e-5), the
 * causal reach of a single layer, validation and JSON.
 *
 * <p>Each graph is input → a stock 1×1 convolution ("pre") → the masked layer → MSE, so the gradient of "pre"
 * checks the gradient the layer hands back to its input. Before each check every parameter, the masked weights
 * included, is set to random values: the mask must then act in the forward pass, not only at initialisation.
 */
class MaskedConv2DTest {

    private static final double TOLERANCE = 1e-5;
    private static final int IN_CHANNELS = 2;

    /** One layer: mask type, kernel, channels, input size (non-square, to catch a transposed mask), bias. */
    record Case(MaskType type, int kH, int kW, int nIn, int nOut, int height, int width, boolean bias) {
        @Override
        public String toString() {
            return type + " k" + kH + "x" + kW + " " + nIn + "->" + nOut + " on " + height + "x" + width
                    + (bias ? " +bias" : "");
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case(MaskType.A, 3, 3, 3, 4, 5, 6, true),
                new Case(MaskType.A, 5, 5, 2, 3, 6, 5, false),
                new Case(MaskType.B, 3, 3, 3, 2, 5, 4, false),
                new Case(MaskType.B, 3, 5, 2, 3, 4, 6, true))
                .map(Arguments::of);
    }

    private static ConvolutionLayer layer(Case c, boolean masked) {
        ConvolutionLayer.Builder b = masked ? new MaskedConv2D.Builder(c.type(), c.kH(), c.kW())
                : new ConvolutionLayer.Builder(c.kH(), c.kW()).stride(1, 1)
                        .padding((c.kH() - 1) / 2, (c.kW() - 1) / 2).convolutionMode(ConvolutionMode.Truncate);
        return b.hasBias(c.bias()).nOut(c.nOut()).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build();
    }

    private static ComputationGraph graph(Case c, boolean masked, DataType type) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                .updater(new NoOp()).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(c.height(), c.width(), IN_CHANNELS))
                .addLayer("pre", new ConvolutionLayer.Builder(1, 1).nOut(c.nIn()).activation(Activation.TANH)
                        .weightInit(WeightInit.XAVIER).build(), "in")
                .addLayer("layer", layer(c, masked), "pre")
                .addLayer("out", new CnnLossLayer.Builder(new LossMSE()).activation(Activation.IDENTITY).build(),
                        "layer")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** Every parameter random in [-0.5, 0.5), masked weights included. */
    private static INDArray randomParams(ComputationGraph g, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(g.params().dataType(), g.params().shape()).subi(0.5);
    }

    private static INDArray input(Case c, DataType type) {
        Nd4j.getRandom().setSeed(11);
        return Nd4j.rand(type, 3, IN_CHANNELS, c.height(), c.width()).subi(0.5).muli(2);
    }

    /** The test's own mask: kernel row a, column b is live iff it lies before the centre (or is it, for B). */
    private static INDArray expectedMask(Case c, DataType type) {
        INDArray m = Nd4j.zeros(type, c.nOut(), c.nIn(), c.kH(), c.kW());
        int ci = (c.kH() - 1) / 2;
        int cj = (c.kW() - 1) / 2;
        for (int a = 0; a < c.kH(); a++) {
            for (int b = 0; b < c.kW(); b++) {
                boolean live = a < ci || (a == ci && b < cj) || (a == ci && b == cj && c.type() == MaskType.B);
                if (live) {
                    m.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(a),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(b)).assign(1);
                }
            }
        }
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void passesGradientCheckInDouble(Case c) {
        try (DoublePrecision ignored = new DoublePrecision()) {
            ComputationGraph g = graph(c, true, DataType.DOUBLE);
            assertInstanceOf(MaskedConvolutionLayer.class, g.getLayer("layer"));
            g.setParams(randomParams(g, 5));
            INDArray in = input(c, DataType.DOUBLE);
            LayerChecks.assertGradientCheckPasses(g, in, LayerChecks.randomLabels(g, in), c);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientOfMaskedWeightsIsExactlyZero(Case c) {
        ComputationGraph g = graph(c, true, DataType.FLOAT);
        g.setParams(randomParams(g, 6));
        INDArray in = input(c, DataType.FLOAT);
        g.setInputs(in);
        g.setLabels(LayerChecks.randomLabels(g, in));
        g.computeGradientAndScore();
        INDArray grad = g.gradient().gradientForVariable().get("layer_W");
        INDArray mask = expectedMask(c, DataType.FLOAT);
        INDArray dead = grad.mul(mask.rsub(1));
        assertEquals(0.0, Transforms.abs(dead).maxNumber().doubleValue(), "gradient of a masked weight");
        assertTrue(Transforms.abs(grad.mul(mask)).maxNumber().doubleValue() > 1e-6, "live weights get gradients");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesStockLayerWithPreMaskedWeightsInFloat(Case c) {
        ComputationGraph stock = graph(c, false, DataType.FLOAT);
        ComputationGraph masked = graph(c, true, DataType.FLOAT);
        masked.setParams(randomParams(masked, 8));
        stock.setParams(masked.params().dup());
        INDArray mask = expectedMask(c, DataType.FLOAT);
        stock.getLayer("layer").setParam("W", masked.getLayer("layer").getParam("W").mul(mask));
        assertNotEquals(stock.params(), masked.params(), "the masked layer holds non-zero masked weights");

        INDArray in = input(c, DataType.FLOAT);
        // the stock layer's gradient of a masked weight is not zero: compare dW ⊙ M
        LayerChecks.assertSameOutputScoreAndGradients(stock, masked, in, LayerChecks.randomLabels(stock, in),
                (key, gradient) -> key.equals("layer_W") ? gradient.mul(mask) : gradient);
    }

    /**
     * One layer alone, all weights random: output (i, j) must not move when an input at or after (i, j) in raster
     * order changes (after only, for type B), and must move for the input just before it (and at it, for B).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void singleLayerSeesOnlyThePast(Case c) {
        ComputationGraph g = graph(c, true, DataType.FLOAT);
        g.setParams(randomParams(g, 9));
        INDArray base = input(c, DataType.FLOAT).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1));
        INDArray baseOut = layerOutput(g, base);
        int h = c.height();
        int w = c.width();
        for (int q = 0; q < h * w; q++) {
            INDArray changed = base.dup();
            changed.putScalar(new long[] {0, 0, q / w, q % w}, base.getDouble(0, 0, q / w, q % w) + 1.5);
            INDArray out = layerOutput(g, changed);
            for (int p = 0; p < h * w; p++) {
                double diff = Transforms.abs(out.get(point(p / w), point(p % w))
                        .sub(baseOut.get(point(p / w), point(p % w)))).maxNumber().doubleValue();
                boolean visible = q < p || (q == p && c.type() == MaskType.B);
                boolean inKernel = Math.abs(q / w - p / w) <= (c.kH() - 1) / 2
                        && Math.abs(q % w - p % w) <= (c.kW() - 1) / 2;
                if (!visible) {
                    assertEquals(0.0, diff, 1e-6, "output " + p + " moved with input " + q);
                } else if (inKernel && (q == p - 1 && q % w != w - 1 || q == p)) {
                    assertTrue(diff > 1e-4, "output " + p + " ignores input " + q + " (" + diff + ")");
                }
            }
        }
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex point(int i) {
        return org.nd4j.linalg.indexing.NDArrayIndex.point(i);
    }

    /** The masked layer's output for one example, as [h, w, channels]. */
    private static INDArray layerOutput(ComputationGraph g, INDArray in) {
        return g.feedForward(in, false).get("layer").get(point(0)).permute(1, 2, 0).dup();
    }

    @Test
    void freshLayerStartsWithMaskedWeightsAtZero() {
        Case c = new Case(MaskType.A, 5, 5, 3, 4, 6, 6, true);
        INDArray weights = graph(c, true, DataType.FLOAT).getLayer("layer").getParam("W");
        INDArray mask = expectedMask(c, DataType.FLOAT);
        float[] w = weights.dup().data().asFloat();
        float[] m = mask.dup().data().asFloat();
        for (int i = 0; i < w.length; i++) {
            assertEquals(m[i] != 0, w[i] != 0, "weight " + i + " (live: " + (m[i] != 0) + ") = " + w[i]);
        }
    }

    @Test
    void spatialMasksAreTheRasterOrderPast() {
        boolean[][] a = MaskedConv2D.spatialMask(MaskType.A, 3, 3);
        boolean[][] b = MaskedConv2D.spatialMask(MaskType.B, 3, 3);
        assertArrayEquals(new boolean[] {true, true, true}, a[0]);
        assertArrayEquals(new boolean[] {true, false, false}, a[1]);
        assertArrayEquals(new boolean[] {false, false, false}, a[2]);
        assertArrayEquals(new boolean[] {true, true, false}, b[1]);
        assertArrayEquals(new boolean[] {false, false, false}, b[2]);
        assertArrayEquals(new boolean[] {false}, MaskedConv2D.spatialMask(MaskType.A, 1, 1)[0]);
        assertArrayEquals(new boolean[] {true}, MaskedConv2D.spatialMask(MaskType.B, 1, 1)[0]);
    }

    @Test
    void rejectsWhatWouldMisalignOutputsWithTheLayerName() {
        assertThrows(IllegalArgumentException.class, () -> new MaskedConv2D.Builder(MaskType.A, 4));
        IllegalArgumentException stride = assertThrows(IllegalArgumentException.class,
                () -> new MaskedConv2D.Builder(MaskType.A, 3).stride(2, 2).name("m1").nOut(2).build());
        assertTrue(stride.getMessage().contains("'m1'") && stride.getMessage().contains("stride"),
                stride.getMessage());
        IllegalArgumentException pad = assertThrows(IllegalArgumentException.class,
                () -> new MaskedConv2D.Builder(MaskType.B, 5).padding(1, 1).name("m2").nOut(2).build());
        assertTrue(pad.getMessage().contains("padding"), pad.getMessage());
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> new MaskedConv2D.Builder(MaskType.B, 3).convolutionMode(ConvolutionMode.Same).padding(0, 0)
                        .name("m3").nOut(2).build());
        assertTrue(same.getMessage().contains("Same"), same.getMessage());
        IllegalArgumentException dilation = assertThrows(IllegalArgumentException.class,
                () -> new MaskedConv2D.Builder(MaskType.B, 3).dilation(2, 2).name("m4").nOut(2).build());
        assertTrue(dilation.getMessage().contains("dilation"), dilation.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new MaskedConv2D.Builder(null, 3).name("m5").nOut(2).build());
    }

    @Test
    void keepsClassAndMaskTypeThroughJson() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(6, 6, 3))
                .addLayer("a", new MaskedConv2D.Builder(MaskType.A, 5).nOut(4).hasBias(false).build(), "in")
                .addLayer("b", new MaskedConv2D.Builder(MaskType.B, 3).nOut(4).build(), "a")
                .addLayer("out", new CnnLossLayer.Builder(new LossMSE()).activation(Activation.IDENTITY).build(), "b")
                .setOutputs("out").build();
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        MaskedConv2D a = (MaskedConv2D) ((LayerVertex) back.getVertices().get("a")).getLayerConf().getLayer();
        MaskedConv2D b = (MaskedConv2D) ((LayerVertex) back.getVertices().get("b")).getLayerConf().getLayer();
        assertEquals(MaskType.A, a.getMaskType());
        assertEquals(MaskType.B, b.getMaskType());
        assertTrue(!a.hasBias() && b.hasBias());
        assertArrayEquals(new int[] {2, 2}, a.getPadding());

        // equality sees the mask type and the class, which Lombok's ConvolutionLayer.equals alone would not
        MaskedConv2D a2 = a.clone();
        assertEquals(a, a2);
        a2.setMaskType(MaskType.B);
        assertNotEquals(a, a2);
        ConvolutionLayer stock = new ConvolutionLayer.Builder(3, 3).stride(1, 1).padding(1, 1)
                .convolutionMode(ConvolutionMode.Truncate).nOut(4).build();
        assertNotEquals(new MaskedConv2D.Builder(MaskType.B, 3).nOut(4).build(), stock);
        assertNotEquals(stock, new MaskedConv2D.Builder(MaskType.B, 3).nOut(4).build());
    }
}
