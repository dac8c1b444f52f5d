package io.sparkvae.model.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.layers.DoublePrecision;
import io.sparkvae.model.layers.LayerChecks;
import java.io.File;
import java.nio.file.Path;
import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * {@link CodeEmbedding}: DL4J's gradient check in double (of the table; the input is discrete), the lookup and the
 * scatter-add against direct computations (repeated and unused codes), the rejection of bad indices, and JSON and
 * ModelSerializer round trips.
 *
 * <p>Each graph is code indices → the embedding → a stock 3×3 convolution ("mix", so that the gradient reaching
 * the table differs from cell to cell) → MSE. The embedding is fed by the graph input and returns no input gradient,
 * which every fit and gradient computation here shows ComputationGraph accepts. The reference for the gradient is
 * DL4J's stock 1×1 convolution without bias on one-hot codes, the formulation the embedding replaces.
 */
class CodeEmbeddingTest {

    private static final int K = 7;
    private static final int F = 4;
    private static final int H = 3;
    private static final int W = 5;
    /** Codes drawn from [0, USED): K − USED rows of the table are never looked up. */
    private static final int USED = 5;

    private static ComputationGraphConfiguration config(DataType type, Activation activation, IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(3).dataType(type).updater(updater).graphBuilder()
                .addInputs("codes").setInputTypes(InputType.convolutional(H, W, 1))
                .addLayer("embed", new CodeEmbedding.Builder(K, F).activation(activation)
                        .weightInit(new NormalDistribution(0, 1)).build(), "codes")
                .addLayer("mix", new ConvolutionLayer.Builder(3, 3).stride(1, 1).padding(1, 1)
                        .convolutionMode(ConvolutionMode.Truncate).nOut(2).activation(Activation.TANH)
                        .weightInit(WeightInit.XAVIER).build(), "embed")
                .addLayer("out", new CnnLossLayer.Builder(new LossMSE()).activation(Activation.IDENTITY).build(), "mix")
                .setOutputs("out").build();
    }

    private static ComputationGraph graph(DataType type, Activation activation) {
        ComputationGraph g = new ComputationGraph(config(type, activation, new NoOp()));
        g.init();
        return g;
    }

    /** Three grids of codes in [0, USED), each code repeated, as [3, 1, H, W]. */
    private static INDArray codes(DataType type) {
        Random r = new Random(5);
        double[] v = new double[3 * H * W];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(USED);
        }
        return Nd4j.create(v, new long[] {3, 1, H, W}, 'c').castTo(type);
    }

    private static INDArray labels(DataType type) {
        Nd4j.getRandom().setSeed(12);
        return Nd4j.rand(type, 3, 2, H, W).subi(0.5);
    }

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"IDENTITY", "TANH"})
    void passesGradientCheckInDouble(Activation activation) {
        try (DoublePrecision ignored = new DoublePrecision()) {
            ComputationGraph g = graph(DataType.DOUBLE, activation);
            assertInstanceOf(CodeEmbeddingLayer.class, g.getLayer("embed"));
            Nd4j.getRandom().setSeed(4);
            g.setParams(Nd4j.rand(DataType.DOUBLE, g.params().shape()).subi(0.5));
            LayerChecks.assertGradientCheckPasses(g, codes(DataType.DOUBLE), labels(DataType.DOUBLE), activation);
        }
    }

    @Test
    void looksUpTableRowsAndGetsTheOneHotConvolutionsGradient() {
        ComputationGraph g = graph(DataType.FLOAT, Activation.IDENTITY);
        INDArray codes = codes(DataType.FLOAT);
        INDArray table = g.getLayer("embed").getParam("W");
        assertArrayEquals(new long[] {K, F}, table.shape());

        INDArray embedded = g.feedForward(codes, false).get("embed");
        assertArrayEquals(new long[] {3, F, H, W}, embedded.shape());
        for (int n = 0; n < 3; n++) {
            for (int i = 0; i < H; i++) {
                for (int j = 0; j < W; j++) {
                    int c = codes.getInt(n, 0, i, j);
                    for (int f = 0; f < F; f++) {
                        assertEquals(table.getFloat(c, f), embedded.getFloat(n, f, i, j), 0f, "cell " + n + i + j);
                    }
                }
            }
        }

        // dW against DL4J's stock 1×1 convolution without bias on the one-hot codes, the same function
        ComputationGraph stock = oneHotGraph();
        stock.getLayer("embed").setParam("W", table.transpose().dup('c').reshape(F, K, 1, 1));
        stock.getLayer("mix").setParam("W", g.getLayer("mix").getParam("W"));
        stock.getLayer("mix").setParam("b", g.getLayer("mix").getParam("b"));
        INDArray oneHot = PixelCnnGraphs.toOneHot(codes.reshape(3, H, W), K);
        INDArray labels = labels(DataType.FLOAT);
        stock.setInputs(oneHot);
        stock.setLabels(labels);
        stock.computeGradientAndScore();
        g.setInputs(codes);
        g.setLabels(labels);
        g.computeGradientAndScore();
        assertEquals(stock.score(), g.score(), 1e-6 * stock.score());
        INDArray expected = stock.gradient().gradientForVariable().get("embed_W").reshape(F, K).transpose();
        INDArray grad = g.gradient().gradientForVariable().get("embed_W");
        LayerChecks.assertClose("dW", expected, grad);
        for (int c = USED; c < K; c++) {
            assertEquals(0.0, grad.getRow(c).amaxNumber().doubleValue(), "unused code " + c + " gets no gradient");
        }
        assertTrue(grad.getRow(0).norm2Number().doubleValue() > 1e-4, "used codes get gradients");
        LayerChecks.assertClose("d mix", stock.gradient().gradientForVariable().get("mix_W"),
                g.gradient().gradientForVariable().get("mix_W"));

        // deterministic: the same gradient again, to the bit
        INDArray first = grad.dup();
        g.computeGradientAndScore();
        assertEquals(first, g.gradient().gradientForVariable().get("embed_W"));
    }

    /** One-hot codes [N, K, H, W] → stock 1×1 convolution K → F without bias → "mix" → MSE. */
    private static ComputationGraph oneHotGraph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .updater(new NoOp()).graphBuilder().addInputs("codes")
                .setInputTypes(InputType.convolutional(H, W, K))
                .addLayer("embed", new ConvolutionLayer.Builder(1, 1).stride(1, 1).padding(0, 0).hasBias(false)
                        .convolutionMode(ConvolutionMode.Truncate).nOut(F).activation(Activation.IDENTITY).build(),
                        "codes")
                .addLayer("mix", new ConvolutionLayer.Builder(3, 3).stride(1, 1).padding(1, 1)
                        .convolutionMode(ConvolutionMode.Truncate).nOut(2).activation(Activation.TANH).build(),
                        "embed")
                .addLayer("out", new CnnLossLayer.Builder(new LossMSE()).activation(Activation.IDENTITY).build(), "mix")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Test
    void rejectsIndicesOutsideTheTableOrNotIntegers() {
        ComputationGraph g = graph(DataType.FLOAT, Activation.IDENTITY);
        for (double bad : new double[] {-1, K, 2.5, Double.NaN}) {
            INDArray codes = codes(DataType.FLOAT);
            codes.putScalar(new long[] {1, 0, 2, 3}, bad);
            Exception e = assertThrows(Exception.class, () -> g.outputSingle(codes));
            String message = rootMessage(e);
            assertTrue(message.contains("'embed'") && message.contains("[1, 0, 2, 3]")
                    && message.contains("[0, " + K + ")"), message);
        }
        INDArray twoChannels = Nd4j.zeros(DataType.FLOAT, 3, 2, H, W);
        assertTrue(rootMessage(assertThrows(Exception.class, () -> g.outputSingle(twoChannels)))
                .contains("[N, 1, h, w]"));
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    @Test
    void rejectsWhatItDoesNotSupport() {
        assertThrows(IllegalArgumentException.class, () -> new CodeEmbedding.Builder(K, F).dropOut(0.5).build());
        assertThrows(IllegalArgumentException.class, () -> new CodeEmbedding.Builder().nOut(F).build());
        // the input must be the 1-channel index grid
        assertThrows(IllegalStateException.class, () -> new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("x").setInputTypes(InputType.convolutional(H, W, 3))
                .addLayer("embed", new CodeEmbedding.Builder(K, F).build(), "x")
                .addLayer("out", new CnnLossLayer.Builder(new LossMSE()).build(), "embed")
                .setOutputs("out").build());
    }

    @Test
    void keepsClassThroughJsonAndModelSerializer(@TempDir Path dir) throws Exception {
        ComputationGraphConfiguration conf = config(DataType.FLOAT, Activation.IDENTITY, new Adam(1e-2));
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        CodeEmbedding embed = (CodeEmbedding) ((LayerVertex) back.getVertices().get("embed")).getLayerConf()
                .getLayer();
        assertEquals(K, embed.getNumCodes());
        assertEquals(F, embed.getNOut());
        assertEquals(Activation.IDENTITY.getActivationFunction(), embed.getActivationFn());
        DenseLayer dense = new DenseLayer.Builder().nIn(K).nOut(F).build();
        assertNotEquals(new CodeEmbedding.Builder(K, F).build(), dense);
        assertNotEquals(dense, new CodeEmbedding.Builder(K, F).build());

        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        INDArray codes = codes(DataType.FLOAT);
        g.fit(new INDArray[] {codes}, new INDArray[] {labels(DataType.FLOAT)}); // moves the table, fills Adam
        File file = dir.resolve("embedding.zip").toFile();
        ModelSerializer.writeModel(g, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        assertInstanceOf(CodeEmbeddingLayer.class, restored.getLayer("embed"));
        assertEquals(g.params(), restored.params());
        assertEquals(g.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        assertEquals(g.outputSingle(codes), restored.outputSingle(codes));
    }
}
