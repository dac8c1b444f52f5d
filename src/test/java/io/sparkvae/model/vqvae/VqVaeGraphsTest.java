package io.sparkvae.model.vqvae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The VQ-VAE graph: shapes, inference equal to training-mode forward, and the cut encoder/decoder. */
class VqVaeGraphsTest {
    private static final VqVaeSpec SPEC = new VqVaeSpec(16, 16, 3, 16, 8, 4, 12, 2, 0.25, true, 0.99, 1e-5, 0.1,
            1e-3, 5);

    private static ComputationGraph trainedALittle() {
        ComputationGraph g = VqVaeGraphs.newTrainingGraph(SPEC);
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 8, 3, 16, 16);
        Codebooks.initFromEncoderOutputs(g, Codebooks.rows(VqVaeGraphs.encoder(g, SPEC).outputSingle(false, x)), 1);
        for (int i = 0; i < 3; i++) {
            g.fit(VqVaeGraphs.toMultiDataSet(x));
        }
        return g;
    }

    @Test
    void inferenceMatchesTrainingModeForward() {
        ComputationGraph g = trainedALittle();
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 3, 16, 16);
        Map<String, INDArray> train = g.feedForward(new INDArray[] {x.dup()}, true, false);
        Map<String, INDArray> inferenceFf = g.feedForward(new INDArray[] {x.dup()}, false, false);
        INDArray inference = g.outputSingle(false, x.dup());
        // the residual stacks' skip connections must see x, not ReLU(x), in every mode (DL4J's stock
        // ActivationLayer applies ReLU in place in inference feedForward, corrupting the skip input)
        assertArrayEquals(train.get(VqVaeGraphs.RECON).shape(), inference.shape());
        assertTrue(train.get(VqVaeGraphs.RECON).equalsWithEps(inference, 1e-5),
                "inference output differs from the training-mode forward pass");
        assertTrue(train.get(VqVaeGraphs.RECON).equalsWithEps(inferenceFf.get(VqVaeGraphs.RECON), 1e-5),
                "inference feedForward differs from the training-mode forward pass");
        double trainScore = g.score(VqVaeGraphs.toMultiDataSet(x), true);
        double inferenceScore = g.score(VqVaeGraphs.toMultiDataSet(x), false);
        assertEquals(trainScore, inferenceScore, 1e-3 * Math.abs(trainScore));
    }

    @Test
    void encoderQuantiserAndDecoderComposeToTheTrainingGraph() {
        ComputationGraph g = trainedALittle();
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 3, 16, 16);
        INDArray ze = VqVaeGraphs.encoder(g, SPEC).outputSingle(false, x);
        assertArrayEquals(new long[] {4, 4, 4, 4}, ze.shape(), "[N, D, h, w] with h = w = 16 / 2^2");
        int[] codes = Codebooks.nearest(Codebooks.rows(ze), Codebooks.codebook(g));
        int[][] grids = new int[4][16];
        for (int i = 0; i < 4; i++) {
            System.arraycopy(codes, i * 16, grids[i], 0, 16);
        }
        INDArray viaCodes = VqVaeGraphs.decoder(g, SPEC).outputSingle(false,
                Codebooks.lookup(grids, Codebooks.codebook(g), 4, 4));
        assertTrue(viaCodes.equalsWithEps(g.outputSingle(false, x), 1e-5),
                "decoding the encoded codes reproduces the whole graph's output");
    }

    @Test
    void configurationSurvivesJson() {
        ComputationGraphConfiguration conf = VqVaeGraphs.trainingConfig(SPEC);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertEquals(VectorQuantizer.class, back.getVertices().get(VqVaeGraphs.VQ) instanceof
                org.deeplearning4j.nn.conf.graph.LayerVertex lv ? lv.getLayerConf().getLayer().getClass() : null);
    }
}
