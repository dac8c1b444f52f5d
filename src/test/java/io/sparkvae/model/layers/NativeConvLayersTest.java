package io.sparkvae.model.layers;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * {@link NativeConv2D} and {@link NativeDeconv2D}: DL4J's gradient check in double precision, and the same outputs
 * and gradients as DL4J's stock ConvolutionLayer / Deconvolution2D on the same weights in float (to 1e-5).
 *
 * <p>Each graph is input → a stock 1×1 convolution ("pre") → the layer under test → MSE, so the gradient of "pre"
 * checks the gradient the layer hands back to its input.
 */
class NativeConvLayersTest {

    /** One layer shape: conv or deconv, kernel, stride, padding, channels, input size, bias, activation. */
    record Case(boolean deconv, int kernel, int stride, int pad, int nIn, int nOut, int size, boolean bias,
            IActivation activation) {
        @Override
        public String toString() {
            return (deconv ? "deconv" : "conv") + " k" + kernel + " s" + stride + " p" + pad + " " + nIn + "->" + nOut
                    + " on " + size + "x" + size + (bias ? " +bias " : " ") + activation;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case(false, 4, 2, 1, 3, 6, 8, true, new ActivationLReLU(0.2)),
                new Case(false, 3, 1, 1, 4, 5, 7, false, Activation.IDENTITY.getActivationFunction()),
                new Case(false, 3, 2, 0, 2, 3, 9, true, Activation.TANH.getActivationFunction()),
                new Case(true, 4, 2, 1, 6, 3, 4, true, new FastLeakyReLU(0.2)),
                new Case(true, 3, 1, 1, 4, 5, 5, false, Activation.IDENTITY.getActivationFunction()),
                new Case(true, 4, 2, 1, 5, 2, 3, true, Activation.SIGMOID.getActivationFunction()))
                .map(Arguments::of);
    }

    private static ConvolutionLayer layer(Case c, boolean nativeOps) {
        if (c.deconv()) {
            Deconvolution2D.Builder b = nativeOps ? new NativeDeconv2D.Builder(c.kernel(), c.kernel())
                    : new Deconvolution2D.Builder(c.kernel(), c.kernel());
            return b.stride(c.stride(), c.stride()).padding(c.pad(), c.pad()).convolutionMode(ConvolutionMode.Truncate)
                    .hasBias(c.bias()).nOut(c.nOut()).activation(c.activation()).weightInit(WeightInit.XAVIER)
                    .build();
        }
        ConvolutionLayer.Builder b = nativeOps ? new NativeConv2D.Builder(c.kernel(), c.kernel())
                : new ConvolutionLayer.Builder(c.kernel(), c.kernel());
        return b.stride(c.stride(), c.stride()).padding(c.pad(), c.pad()).convolutionMode(ConvolutionMode.Truncate)
                .hasBias(c.bias()).nOut(c.nOut()).activation(c.activation()).weightInit(WeightInit.XAVIER).build();
    }

    private static ComputationGraph graph(Case c, boolean nativeOps, DataType type) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                .updater(new NoOp()).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(c.size(), c.size(), 2))
                .addLayer("pre", new ConvolutionLayer.Builder(1, 1).nOut(c.nIn()).activation(Activation.TANH)
                        .weightInit(WeightInit.XAVIER).build(), "in")
                .addLayer("layer", layer(c, nativeOps), "pre")
                .addLayer("out", new CnnLossLayer.Builder(new LossMSE()).activation(Activation.IDENTITY).build(),
                        "layer")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static INDArray input(Case c, DataType type) {
        Nd4j.getRandom().setSeed(11);
        return Nd4j.rand(type, 3, 2, c.size(), c.size()).subi(0.5).muli(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void passesGradientCheckInDouble(Case c) {
        try (DoublePrecision ignored = new DoublePrecision()) {
            ComputationGraph g = graph(c, true, DataType.DOUBLE);
            INDArray in = input(c, DataType.DOUBLE);
            LayerChecks.assertGradientCheckPasses(g, in, LayerChecks.randomLabels(g, in), c);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesStockLayerInFloat(Case c) {
        ComputationGraph stock = graph(c, false, DataType.FLOAT);
        ComputationGraph fast = graph(c, true, DataType.FLOAT);
        assertInstanceOf(NativeConvolutionLayer.class, fast.getLayer("layer"));
        fast.setParams(stock.params().dup());
        INDArray in = input(c, DataType.FLOAT);
        LayerChecks.assertSameOutputScoreAndGradients(stock, fast, in, LayerChecks.randomLabels(stock, in));
    }

    @Test
    void rejectsSameModeAndNhwcWithTheLayerName() {
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> new NativeConv2D.Builder(3, 3).convolutionMode(ConvolutionMode.Same).name("c1").nOut(2).build());
        assertTrue(same.getMessage().contains("'c1'") && same.getMessage().contains("Same"), same.getMessage());
        IllegalArgumentException nhwc = assertThrows(IllegalArgumentException.class,
                () -> new NativeConv2D.Builder(3, 3).dataFormat(org.deeplearning4j.nn.conf.CNN2DFormat.NHWC)
                        .name("c2").nOut(2).build());
        assertTrue(nhwc.getMessage().contains("NCHW"), nhwc.getMessage());
    }
}
