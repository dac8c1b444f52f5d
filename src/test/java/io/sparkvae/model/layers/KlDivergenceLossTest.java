package io.sparkvae.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** Tests of {@link KlDivergenceLoss}: hand-computed score, clamp, mask/average contract and gradient check. */
class KlDivergenceLossTest {

    private static double handKl(double[] row, double weight, double min, double max) {
        int latent = row.length / 2;
        double s = 0;
        for (int j = 0; j < latent; j++) {
            double mu = row[j];
            double lv = Math.max(min, Math.min(max, row[latent + j]));
            s += mu * mu + Math.exp(lv) - 1 - lv;
        }
        return weight * 0.5 * s;
    }

    @Test
    void scoreMatchesHandComputation() {
        try (DoublePrecision dp = new DoublePrecision()) {
            double[][] rows = {{0.5, -1.0, 0.2, -0.3}, {2.0, 0.1, 12.0, -9.0}};
            INDArray pre = Nd4j.create(rows);
            INDArray labels = Nd4j.zeros(DataType.DOUBLE, 2, 4);
            KlDivergenceLoss kl = new KlDivergenceLoss(0.7, -5, 5);
            INDArray perEx = kl.computeScoreArray(labels, pre, new ActivationIdentity(), null);
            assertEquals(handKl(rows[0], 0.7, -5, 5), perEx.getDouble(0, 0), 1e-12);
            assertEquals(handKl(rows[1], 0.7, -5, 5), perEx.getDouble(1, 0), 1e-12);
            double sum = handKl(rows[0], 0.7, -5, 5) + handKl(rows[1], 0.7, -5, 5);
            assertEquals(sum, kl.computeScore(labels, pre, new ActivationIdentity(), null, false), 1e-12);
            assertEquals(sum / 2, kl.computeScore(labels, pre, new ActivationIdentity(), null, true), 1e-12);
            INDArray mask = Nd4j.create(new double[][] {{1}, {0}});
            assertEquals(handKl(rows[0], 0.7, -5, 5),
                    kl.computeScore(labels, pre, new ActivationIdentity(), mask, false), 1e-12);
            // N(0, I) has zero KL
            assertEquals(0.0, kl.computeScore(labels, Nd4j.zeros(DataType.DOUBLE, 3, 4), new ActivationIdentity(),
                    null, false), 0.0);
            kl.setWeight(0.0);
            assertEquals(0.0, kl.computeScore(labels, pre, new ActivationIdentity(), null, false), 0.0);
        }
    }

    @Test
    void gradientMatchesFormulaAndIsZeroWhereClamped() {
        try (DoublePrecision dp = new DoublePrecision()) {
            INDArray pre = Nd4j.create(new double[][] {{0.5, -1.0, 0.2, 7.0}});
            INDArray g = new KlDivergenceLoss(2.0, -5, 5)
                    .computeGradient(Nd4j.zeros(DataType.DOUBLE, 1, 4), pre, new ActivationIdentity(), null);
            assertEquals(2.0 * 0.5, g.getDouble(0, 0), 1e-12);
            assertEquals(2.0 * -1.0, g.getDouble(0, 1), 1e-12);
            assertEquals(2.0 * 0.5 * (Math.exp(0.2) - 1), g.getDouble(0, 2), 1e-12);
            assertEquals(0.0, g.getDouble(0, 3), 0.0);
        }
    }

    @Test
    void passesGradientCheck() {
        try (DoublePrecision dp = new DoublePrecision()) {
            ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                    .seed(123).updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
                    .setInputTypes(InputType.feedForward(5))
                    .addLayer("stats", new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build(), "in")
                    .addLayer("kl", new LossLayer.Builder(new KlDivergenceLoss(0.8, -3, 3))
                            .activation(Activation.IDENTITY).build(), "stats")
                    .setOutputs("kl").build();
            ComputationGraph g = new ComputationGraph(conf);
            g.init();
            INDArray in = Nd4j.rand(DataType.DOUBLE, 4, 5).subi(0.5).muli(3);
            LayerChecks.assertGradientCheckPasses(g, in, Nd4j.zeros(DataType.DOUBLE, 4, 6), "the KL loss");
        }
    }
}
