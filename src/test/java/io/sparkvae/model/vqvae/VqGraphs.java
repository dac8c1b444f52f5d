package io.sparkvae.model.vqvae;

import io.sparkvae.model.layers.GaussianLoss;
import io.sparkvae.model.layers.NativeConv2D;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Tiny VQ-VAE-shaped graphs for the tests: "in" [N, 2, 3, 3] → "enc" (NativeConv2D 1×1 to D) → "vq" → "dec" (stock
 * 1×1 convolution to 2 channels, tanh) → "out" (CnnLossLayer, Gaussian loss: a per-image sum). And helpers.
 */
final class VqGraphs {

    static final int SIZE = 3;
    static final int CHANNELS = 2;

    private VqGraphs() {
    }

    /** The graph above; {@code zeroDecoder} initialises the decoder's weights (not its bias) to 0. */
    static ComputationGraph encoderVqDecoder(DataType type, IUpdater updater, int d, VectorQuantizer vq,
            boolean zeroDecoder) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(type)
                .updater(updater).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, CHANNELS))
                .addLayer("enc", new NativeConv2D.Builder(1, 1).nOut(d).activation(Activation.IDENTITY)
                        .weightInit(WeightInit.XAVIER).build(), "in")
                .addLayer("vq", vq, "enc")
                .addLayer("dec", new ConvolutionLayer.Builder(1, 1).nOut(CHANNELS).activation(Activation.TANH)
                        .weightInit(zeroDecoder ? WeightInit.ZERO : WeightInit.XAVIER).biasInit(0.1).build(), "vq")
                .addLayer("out", new CnnLossLayer.Builder(new GaussianLoss(1.0)).activation(Activation.IDENTITY)
                        .build(), "dec")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** "in" [N, D, h, w] (z_e itself) → "vq" → "out" (Gaussian loss), for exact checks of the layer alone. */
    static ComputationGraph vqOnly(DataType type, IUpdater updater, int d, int h, int w, VectorQuantizer vq) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(type)
                .updater(updater).graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(h, w, d))
                .addLayer("vq", vq, "in")
                .addLayer("out", new CnnLossLayer.Builder(new GaussianLoss(1.0)).activation(Activation.IDENTITY)
                        .build(), "vq")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    static INDArray uniform(DataType type, long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(type, shape).subi(0.5).muli(2);
    }

    /**
     * The smallest gap, over all rows, between the nearest and the second-nearest code's squared distance: the
     * assignments cannot change under perturbations much smaller than this.
     */
    static double minAssignmentMargin(INDArray zE, INDArray codebook) {
        INDArray rows = VectorQuantizerLayer.rowsOf(zE.castTo(DataType.DOUBLE));
        INDArray book = codebook.castTo(DataType.DOUBLE);
        double margin = Double.POSITIVE_INFINITY;
        for (int m = 0; m < rows.rows(); m++) {
            double best = Double.POSITIVE_INFINITY;
            double second = Double.POSITIVE_INFINITY;
            for (int k = 0; k < book.rows(); k++) {
                double dist = rows.getRow(m).squaredDistance(book.getRow(k));
                if (dist < best) {
                    second = best;
                    best = dist;
                } else if (dist < second) {
                    second = dist;
                }
            }
            margin = Math.min(margin, second - best);
        }
        return margin;
    }

    /** The exact elements of an array as doubles in 'c' order (for exact comparisons). */
    static double[] values(INDArray a) {
        return a.dup('c').reshape(a.length()).toDoubleVector();
    }
}
