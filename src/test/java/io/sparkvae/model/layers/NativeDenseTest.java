package io.sparkvae.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * {@link NativeDense}: DL4J's gradient check in double precision, and the same outputs and gradients as DL4J's stock
 * DenseLayer on the same weights in float (to 1e-5).
 *
 * <p>Each graph is input → a stock layer ("pre": a 1×1 convolution when the input is an image, which DL4J flattens for
 * the dense layer as in the VAE's encoder, else a dense layer) → the layer under test → MSE, so the gradient of "pre"
 * checks the gradient the layer hands back to its input.
 */
class NativeDenseTest {

    /** One layer shape: inputs (image channels, or features when size is 0), outputs, bias, activation. */
    record Case(int nIn, int size, int nOut, boolean bias, IActivation activation) {
        @Override
        public String toString() {
            return (size > 0 ? nIn + "x" + size + "x" + size + " image" : nIn + " features") + " -> " + nOut
                    + (bias ? " +bias " : " ") + activation;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case(6, 0, 4, true, Activation.IDENTITY.getActivationFunction()),
                new Case(5, 0, 7, false, new FastLeakyReLU(0.2)),
                new Case(3, 4, 10, true, Activation.IDENTITY.getActivationFunction()),
                new Case(4, 0, 12, true, Activation.TANH.getActivationFunction()))
                .map(Arguments::of);
    }

    private static ComputationGraph graph(Case c, boolean nativeOps, DataType type) {
        DenseLayer.Builder layer = nativeOps ? new NativeDense.Builder() : new DenseLayer.Builder();
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                .updater(new NoOp()).graphBuilder().addInputs("in");
        if (c.size() > 0) {
            g.setInputTypes(InputType.convolutional(c.size(), c.size(), 2))
                    .addLayer("pre", new ConvolutionLayer.Builder(1, 1).nOut(c.nIn()).activation(Activation.TANH)
                            .weightInit(WeightInit.XAVIER).build(), "in");
        } else {
            g.setInputTypes(InputType.feedForward(3)).addLayer("pre", new DenseLayer.Builder().nOut(c.nIn())
                    .activation(Activation.TANH).weightInit(WeightInit.XAVIER).build(), "in");
        }
        ComputationGraphConfiguration conf = g
                .addLayer("layer", layer.nOut(c.nOut()).hasBias(c.bias()).activation(c.activation())
                        .weightInit(WeightInit.XAVIER).build(), "pre")
                .addLayer("out", new LossLayer.Builder(new LossMSE()).activation(Activation.IDENTITY).build(), "layer")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    private static INDArray input(Case c, DataType type) {
        Nd4j.getRandom().setSeed(11);
        INDArray in = c.size() > 0 ? Nd4j.rand(type, 3, 2, c.size(), c.size()) : Nd4j.rand(type, 5, 3);
        return in.subi(0.5).muli(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void passesGradientCheckInDouble(Case c) {
        try (DoublePrecision ignored = new DoublePrecision()) {
            ComputationGraph g = graph(c, true, DataType.DOUBLE);
            assertInstanceOf(NativeDenseLayer.class, g.getLayer("layer"));
            INDArray in = input(c, DataType.DOUBLE);
            LayerChecks.assertGradientCheckPasses(g, in, LayerChecks.randomLabels(g, in), c);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesStockLayerInFloat(Case c) {
        ComputationGraph stock = graph(c, false, DataType.FLOAT);
        ComputationGraph fast = graph(c, true, DataType.FLOAT);
        assertInstanceOf(NativeDenseLayer.class, fast.getLayer("layer"));
        fast.setParams(stock.params().dup());
        INDArray in = input(c, DataType.FLOAT);
        LayerChecks.assertSameOutputScoreAndGradients(stock, fast, in, LayerChecks.randomLabels(stock, in));
    }

    @Test
    void keepsTheStockConfigurationAndRejectsLayerNormWithTheLayerName() {
        DenseLayer stock = new DenseLayer.Builder().name("d").nIn(3).nOut(4).hasBias(false).l2(0.01)
                .dropOut(0.9).activation(Activation.TANH).build();
        DenseLayer copy = (DenseLayer) new NativeDense.Builder().name("d").nIn(3).nOut(4).hasBias(false).l2(0.01)
                .dropOut(0.9).activation(Activation.TANH).build();
        assertEquals(NativeDense.class, copy.getClass());
        // Lombok's equals compares the fields, not the classes: every field the builder set was carried over
        assertEquals(stock, copy);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NativeDense.Builder().hasLayerNorm(true).name("d2").nOut(2).build());
        assertTrue(e.getMessage().contains("'d2'") && e.getMessage().contains("layer normalisation"),
                e.getMessage());
    }

    @Test
    void keepsItsClassThroughJson() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .setInputTypes(InputType.feedForward(4))
                .addLayer("dense", new NativeDense.Builder().nOut(5).build(), "in")
                .addLayer("out", new LossLayer.Builder(new LossMSE()).build(), "dense").setOutputs("out").build();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertEquals(NativeDense.class,
                ((LayerVertex) back.getVertices().get("dense")).getLayerConf().getLayer().getClass());
    }
}
