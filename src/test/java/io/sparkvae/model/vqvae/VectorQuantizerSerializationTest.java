package io.sparkvae.model.vqvae;

import static io.sparkvae.model.vqvae.VqGraphs.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The quantiser inside a small VQ-VAE-shaped graph: it trains (with and without EMA) through DL4J's workspaces, its
 * configuration survives JSON, and the whole model survives ModelSerializer with the same class and outputs.
 */
class VectorQuantizerSerializationTest {

    private static ComputationGraph trained(boolean ema) {
        ComputationGraph g = VqGraphs.encoderVqDecoder(DataType.FLOAT, new Adam(1e-2), 4,
                new VectorQuantizer.Builder(6).beta(0.3).ema(ema).emaDecay(0.9).build(), false);
        INDArray in = uniform(DataType.FLOAT, 1, 5, VqGraphs.CHANNELS, VqGraphs.SIZE, VqGraphs.SIZE);
        INDArray labels = uniform(DataType.FLOAT, 2, 5, VqGraphs.CHANNELS, VqGraphs.SIZE, VqGraphs.SIZE);
        VectorQuantizerLayer vq = VectorQuantizerLayer.of(g, "vq");
        vq.setRetainEncoderOutputs(true);
        g.fit(new DataSet(in, labels));
        vq.initCodebook(vq.getLastEncoderOutputs(), 1); // as the driver does after a first pass
        INDArray bookBefore = vq.getCodebook().dup();
        for (int i = 0; i < 3; i++) {
            g.fit(new DataSet(in, labels));
            assertTrue(Double.isFinite(g.score()), "score " + g.score());
        }
        assertNotEquals(bookBefore, vq.getCodebook(), "the codebook should move, by gradient or by EMA");
        // the driver reads the codes and encoder outputs after fit() (which clears the layers' inputs)
        assertArrayEquals(new long[] {5, VqGraphs.SIZE, VqGraphs.SIZE}, vq.getLastCodes().shape());
        assertArrayEquals(new long[] {5L * VqGraphs.SIZE * VqGraphs.SIZE, 4}, vq.getLastEncoderOutputs().shape());
        return g;
    }

    @ParameterizedTest(name = "ema={0}")
    @ValueSource(booleans = {false, true})
    void configurationSurvivesJsonWithItsClass(boolean ema) {
        ComputationGraphConfiguration conf = trained(ema).getConfiguration();
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        VectorQuantizer vq = assertInstanceOf(VectorQuantizer.class,
                ((LayerVertex) back.getVertices().get("vq")).getLayerConf().getLayer());
        assertEquals(6, vq.getNumCodes());
        assertEquals(4, vq.getCodeDim());
        assertEquals(0.3, vq.getBeta());
        assertEquals(ema, vq.isEma());
        assertEquals(0.9, vq.getEmaDecay());
        assertEquals(VectorQuantizer.DEFAULT_EMA_EPSILON, vq.getEmaEpsilon());
        assertNotNull(conf.getMemoryReport(InputType.convolutional(VqGraphs.SIZE, VqGraphs.SIZE, VqGraphs.CHANNELS)));
    }

    @ParameterizedTest(name = "ema={0}")
    @ValueSource(booleans = {false, true})
    void modelSerializerRoundTripGivesIdenticalOutputs(boolean ema) throws Exception {
        ComputationGraph g = trained(ema);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(g, bytes, true);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()),
                true);
        assertInstanceOf(VectorQuantizerLayer.class, back.getLayer("vq"));
        assertEquals(g.getConfiguration(), back.getConfiguration());
        assertEquals(g.params(), back.params());
        assertEquals(g.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
        INDArray in = uniform(DataType.FLOAT, 3, 4, VqGraphs.CHANNELS, VqGraphs.SIZE, VqGraphs.SIZE);
        assertArrayEquals(VqGraphs.values(g.outputSingle(in)), VqGraphs.values(back.outputSingle(in)), 0.0);
        assertEquals(VectorQuantizerLayer.of(g, "vq").getLastCodes(), VectorQuantizerLayer.of(back, "vq")
                .getLastCodes());
    }
}
