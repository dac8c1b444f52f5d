package io.sparkvae.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Tests of {@link GaussianLoss} in a {@code CnnLossLayer} with sigmoid: per-image score and gradient check. */
class GaussianLossTest {

    private static ComputationGraph cnn(double sigma) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .seed(7).updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(4, 4, 2))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).padding(1, 1)
                        .convolutionMode(ConvolutionMode.Truncate).nOut(3).activation(Activation.TANH).build(), "in")
                .addLayer("recon", new CnnLossLayer.Builder(new GaussianLoss(sigma))
                        .activation(Activation.SIGMOID).build(), "conv")
                .setOutputs("recon").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Test
    void scoreIsPerImageSumOverAllPixelsDividedByN() {
        try (DoublePrecision dp = new DoublePrecision()) {
            double sigma = 0.3;
            ComputationGraph g = cnn(sigma);
            INDArray in = Nd4j.rand(DataType.DOUBLE, 3, 2, 4, 4);
            INDArray labels = Nd4j.rand(DataType.DOUBLE, 3, 3, 4, 4);
            INDArray out = g.outputSingle(in);
            INDArray sq = Transforms.pow(out.sub(labels), 2).divi(2 * sigma * sigma);
            double perImageMean = sq.sumNumber().doubleValue() / 3;
            MultiDataSet mds = new MultiDataSet(new INDArray[] {in}, new INDArray[] {labels});
            assertEquals(perImageMean, g.score(mds), 1e-9);
            INDArray perEx = g.scoreExamples(mds, false);
            for (int i = 0; i < 3; i++) {
                assertEquals(sq.slice(i).sumNumber().doubleValue(), perEx.getDouble(i), 1e-9);
            }
        }
    }

    @Test
    void logNormalizerIsTheGaussianConstant() {
        assertEquals(0.5 * Math.log(2 * Math.PI), GaussianLoss.logNormalizer(1, 1.0), 1e-15);
        assertEquals(3072 * 0.5 * Math.log(2 * Math.PI * 0.01), GaussianLoss.logNormalizer(3072, 0.1), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new GaussianLoss(0.0));
    }

    @Test
    void passesGradientCheck() {
        try (DoublePrecision dp = new DoublePrecision()) {
            ComputationGraph g = cnn(0.5);
            INDArray in = Nd4j.rand(DataType.DOUBLE, 2, 2, 4, 4);
            INDArray labels = Nd4j.rand(DataType.DOUBLE, 2, 3, 4, 4);
            LayerChecks.assertGradientCheckPasses(g, in, labels, "the Gaussian loss");
        }
    }
}
