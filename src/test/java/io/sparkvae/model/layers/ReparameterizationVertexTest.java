package io.sparkvae.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Tests of {@link ReparameterizationVertex}: forward formula, noise switch, clamp and gradient check. */
class ReparameterizationVertexTest {

    private static DataType oldType;
    private static DataType oldFloat;

    @BeforeAll
    static void doublePrecision() {
        oldType = Nd4j.dataType();
        oldFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(oldType, oldFloat);
    }

    /** in [N,2L] -> z -> LossLayer(MSE): the vertex alone. */
    private static ComputationGraph vertexOnly(int latent, double min, double max, Long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .updater(new NoOp()).graphBuilder().addInputs("in")
                .setInputTypes(InputType.feedForward(2L * latent))
                .addVertex("z", new ReparameterizationVertex(min, max, seed), "in")
                .addLayer("out", new LossLayer.Builder(new LossMSE()).activation(Activation.IDENTITY).build(), "z")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Test
    void forwardIsMuPlusSigmaTimesNoise() {
        int latent = 3;
        ComputationGraph g = vertexOnly(latent, -4, 4, null);
        INDArray in = Nd4j.rand(DataType.DOUBLE, 5, 2 * latent).subi(0.5).muli(10); // some lv beyond the clamp
        INDArray z = g.outputSingle(in);
        INDArray eps = ((ReparameterizationVertexImpl) g.getVertex("z")).getLastNoise();
        INDArray mu = in.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent));
        INDArray lv = in.get(NDArrayIndex.all(), NDArrayIndex.interval(latent, 2 * latent));
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < latent; j++) {
                double l = Math.max(-4, Math.min(4, lv.getDouble(i, j)));
                double expected = mu.getDouble(i, j) + Math.exp(0.5 * l) * eps.getDouble(i, j);
                assertEquals(expected, z.getDouble(i, j), 1e-12);
            }
        }
        INDArray z2 = g.outputSingle(in);
        assertNotEquals(z, z2, "fresh noise expected on each forward pass");
    }

    @Test
    void frozenNoiseRepeats() {
        ComputationGraph g = vertexOnly(4, -30, 20, 42L);
        INDArray in = Nd4j.rand(DataType.DOUBLE, 6, 8);
        INDArray z1 = g.outputSingle(in).dup();
        INDArray z2 = g.outputSingle(in).dup();
        assertEquals(z1, z2);
        ComputationGraph other = vertexOnly(4, -30, 20, 42L);
        assertEquals(z1, other.outputSingle(in));
        INDArray eps = ((ReparameterizationVertexImpl) g.getVertex("z")).getLastNoise();
        assertEquals(0.0, eps.meanNumber().doubleValue(), 0.6);
    }

    @Test
    void gradientIsZeroWhereClamped() {
        int latent = 2;
        ComputationGraph g = vertexOnly(latent, -1, 1, 7L);
        INDArray in = Nd4j.create(new double[][] {{0.3, -0.2, 2.5, 0.4}, {0.1, 0.2, -0.5, -3.0}});
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 2, latent);
        // d score / d input, by finite differences through the graph: zero where lv is clamped
        double h = 1e-6;
        for (int[] ij : new int[][] {{0, 2}, {1, 3}}) {
            INDArray plus = in.dup();
            plus.putScalar(ij[0], ij[1], in.getDouble(ij[0], ij[1]) + h);
            double sp = g.score(new org.nd4j.linalg.dataset.DataSet(plus, labels));
            double s0 = g.score(new org.nd4j.linalg.dataset.DataSet(in, labels));
            assertEquals(0.0, (sp - s0) / h, 1e-9);
        }
        // and the analytic input gradient: backprop through the vertex directly
        ReparameterizationVertexImpl v = (ReparameterizationVertexImpl) g.getVertex("z");
        v.setInputs(new INDArray[] {in});
        v.setEpsilon(Nd4j.ones(DataType.DOUBLE, 2, latent));
        v.doForward(true, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        INDArray grad = v.doBackward(false, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces())
                .getSecond()[0];
        assertEquals(0.0, grad.getDouble(0, 2), 0.0);
        assertEquals(0.0, grad.getDouble(1, 3), 0.0);
        assertEquals(1.0, grad.getDouble(0, 0), 0.0);
        INDArray eps = v.getLastNoise();
        assertEquals(0.5 * Math.exp(0.5 * 0.4) * eps.getDouble(0, 1), grad.getDouble(0, 3), 1e-12);
        assertEquals(0.5 * Math.exp(-0.25) * eps.getDouble(1, 0), grad.getDouble(1, 2), 1e-12);
    }

    @Test
    void passesGradientCheck() {
        int latent = 3;
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .seed(12345).updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
                .setInputTypes(InputType.feedForward(5))
                .addLayer("stats", new DenseLayer.Builder().nOut(2 * latent).activation(Activation.TANH).build(),
                        "in")
                .addVertex("z", new ReparameterizationVertex(-3, 3, 99L), "stats")
                .addLayer("dec", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "z")
                .addLayer("out", new LossLayer.Builder(new LossMSE()).activation(Activation.IDENTITY).build(),
                        "dec")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        INDArray in = Nd4j.rand(DataType.DOUBLE, 4, 5).muli(2);
        INDArray labels = Nd4j.rand(DataType.DOUBLE, 4, 4);
        LayerChecks.assertGradientCheckPasses(g, in, labels, "the reparameterisation vertex");
        // the noise really was used: z differs from mu
        INDArray z = g.feedForward(in, false).get("z");
        INDArray stats = g.feedForward(in, false).get("stats");
        assertTrue(Transforms.abs(z.sub(stats.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent))))
                .sumNumber().doubleValue() > 1e-3);
    }
}
