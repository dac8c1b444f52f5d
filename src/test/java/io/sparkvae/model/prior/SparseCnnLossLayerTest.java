package io.sparkvae.model.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.layers.DoublePrecision;
import io.sparkvae.model.layers.LayerChecks;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link SparseCnnLossLayer}: DL4J's gradient check in double with class-index labels [N, 1, h, w]; the same score,
 * per-example scores and gradients as DL4J's CnnLossLayer with LossMCXENT on the one-hot labels; the score is the
 * mean over examples of the NLL summed over positions; bad labels are refused; JSON keeps the class.
 *
 * <p>Each graph is a continuous input [N, 3, h, w] → a stock 1×1 convolution to K channels → the loss layer, so
 * the convolution's gradient checks the gradient the loss layer hands back.
 */
class SparseCnnLossLayerTest {

    private static final int K = 6;
    private static final int N = 3;
    private static final int H = 4;
    private static final int W = 5;

    private static ComputationGraph graph(DataType type, boolean sparse) {
        Layer loss = sparse ? new SparseCnnLossLayer()
                : new CnnLossLayer.Builder(new LossMCXENT()).activation(Activation.SOFTMAX).build();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(2).dataType(type)
                .updater(new NoOp()).graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(H, W, 3))
                .addLayer("logits", new ConvolutionLayer.Builder(1, 1).stride(1, 1).padding(0, 0)
                        .convolutionMode(ConvolutionMode.Truncate).nOut(K).activation(Activation.IDENTITY)
                        .weightInit(WeightInit.XAVIER).build(), "in")
                .addLayer("nll", loss, "logits")
                .setOutputs("nll").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        Nd4j.getRandom().setSeed(8);
        g.setParams(Nd4j.rand(type, g.params().shape()).subi(0.5).muli(2));
        return g;
    }

    private static INDArray input(DataType type) {
        Nd4j.getRandom().setSeed(9);
        return Nd4j.rand(type, N, 3, H, W).subi(0.5).muli(2);
    }

    /** Class indices [N, 1, H, W], every class used. */
    private static int[][] classes() {
        Random r = new Random(10);
        int[][] c = new int[N][H * W];
        for (int[] grid : c) {
            for (int p = 0; p < grid.length; p++) {
                grid[p] = p < K ? p : r.nextInt(K);
            }
        }
        return c;
    }

    private static INDArray sparseLabels(DataType type) {
        int[][] c = classes();
        double[] v = new double[N * H * W];
        for (int n = 0; n < N; n++) {
            for (int p = 0; p < H * W; p++) {
                v[n * H * W + p] = c[n][p];
            }
        }
        return Nd4j.create(v, new long[] {N, 1, H, W}, 'c').castTo(type);
    }

    @Test
    void passesGradientCheckInDouble() {
        try (DoublePrecision ignored = new DoublePrecision()) {
            ComputationGraph g = graph(DataType.DOUBLE, true);
            assertInstanceOf(SparseCnnLossLayer.Impl.class, g.getLayer("nll"));
            LayerChecks.assertGradientCheckPasses(g, input(DataType.DOUBLE), sparseLabels(DataType.DOUBLE),
                    "the sparse loss");
        }
    }

    @Test
    void matchesStockLayerWithOneHotLabelsAndScoresGridNll() {
        ComputationGraph sparse = graph(DataType.FLOAT, true);
        ComputationGraph stock = graph(DataType.FLOAT, false);
        stock.setParams(sparse.params().dup());
        INDArray in = input(DataType.FLOAT);
        INDArray indices = sparseLabels(DataType.FLOAT);
        INDArray oneHot = PixelCnnGraphs.toOneHot(classes(), H, W, K);

        for (ComputationGraph g : new ComputationGraph[] {sparse, stock}) {
            g.setInputs(in);
            g.setLabels(g == sparse ? indices : oneHot);
            g.computeGradientAndScore();
        }
        // the score: mean over the N examples of the NLL summed over the H·W positions
        INDArray logits = sparse.feedForward(in, false).get("logits");
        double nll = 0;
        int[][] c = classes();
        for (int n = 0; n < N; n++) {
            for (int p = 0; p < H * W; p++) {
                INDArray z = logits.get(NDArrayIndex.point(n), NDArrayIndex.all(), NDArrayIndex.point(p / W),
                        NDArrayIndex.point(p % W));
                double max = z.maxNumber().doubleValue();
                double logSum = max + Math.log(Transforms.exp(z.sub(max)).sumNumber().doubleValue());
                nll += logSum - z.getDouble(c[n][p]);
            }
        }
        assertEquals(nll / N, sparse.score(), 1e-5 * nll / N);
        assertEquals(stock.score(), sparse.score(), 1e-5 * stock.score());

        Map<String, INDArray> expected = stock.gradient().gradientForVariable();
        Map<String, INDArray> actual = sparse.gradient().gradientForVariable();
        assertEquals(expected.keySet(), actual.keySet());
        for (String key : expected.keySet()) {
            LayerChecks.assertClose("gradient " + key, expected.get(key), actual.get(key));
        }
        MultiDataSet sparseData = new MultiDataSet(new INDArray[] {in}, new INDArray[] {indices});
        MultiDataSet stockData = new MultiDataSet(new INDArray[] {in}, new INDArray[] {oneHot});
        LayerChecks.assertClose("per-example scores", stock.scoreExamples(stockData, false),
                sparse.scoreExamples(sparseData, false));
        assertEquals(stock.score(stockData, false), sparse.score(sparseData, false), 1e-5 * stock.score());
    }

    @Test
    void refusesLabelsThatAreNotClassIndicesOfTheInput() {
        ComputationGraph g = graph(DataType.FLOAT, true);
        INDArray in = input(DataType.FLOAT);
        INDArray oneHot = PixelCnnGraphs.toOneHot(classes(), H, W, K);
        assertTrue(fitMessage(g, in, oneHot).contains("class indices"));
        INDArray outOfRange = sparseLabels(DataType.FLOAT);
        outOfRange.putScalar(new long[] {2, 0, 1, 1}, K);
        assertTrue(fitMessage(g, in, outOfRange).contains("[2, 0, 1, 1]"));
        INDArray fractional = sparseLabels(DataType.FLOAT);
        fractional.putScalar(new long[] {0, 0, 3, 4}, 0.5);
        assertTrue(fitMessage(g, in, fractional).contains("[0, 0, 3, 4]"));
        INDArray wrongGrid = Nd4j.zeros(DataType.FLOAT, N, 1, H, W + 1);
        assertTrue(fitMessage(g, in, wrongGrid).contains("class indices"));
    }

    private static String fitMessage(ComputationGraph g, INDArray in, INDArray labels) {
        Throwable t = assertThrows(Exception.class, () -> g.fit(new INDArray[] {in}, new INDArray[] {labels}));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        assertTrue(t.getMessage().contains("SparseCnnLossLayer 'nll'"), t.getMessage());
        return t.getMessage();
    }

    @Test
    void keepsClassAndLossThroughJson() {
        ComputationGraphConfiguration conf = graph(DataType.FLOAT, true).getConfiguration();
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        SparseCnnLossLayer layer = (SparseCnnLossLayer) ((LayerVertex) back.getVertices().get("nll")).getLayerConf()
                .getLayer();
        assertInstanceOf(LossSparseMCXENT.class, layer.getLossFn());
        assertEquals(Activation.SOFTMAX.getActivationFunction(), layer.getActivationFn());
        CnnLossLayer stock = new CnnLossLayer.Builder(new LossSparseMCXENT()).activation(Activation.SOFTMAX).build();
        assertNotEquals(new SparseCnnLossLayer(), stock);
        assertNotEquals(stock, new SparseCnnLossLayer());
    }
}
