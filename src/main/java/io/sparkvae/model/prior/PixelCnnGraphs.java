package io.sparkvae.model.prior;

import io.sparkvae.model.layers.CopyingActivationLayer;

import io.sparkvae.model.layers.NativeConv2D;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static factory of the PixelCNN prior's DL4J graph over VQ-VAE code grids, and helpers to feed it and read it.
 *
 * <p>The graph, for a {@link PixelCnnSpec} (K codes, h × w grid, F channels, R blocks):
 * <pre>
 * "codes"  code indices [N, 1, h, w], FLOAT values 0 ≤ c &lt; K
 * "embed"  {@link CodeEmbedding} K → F: the code embedding table W [K, F], looked up at each cell
 * "masked_a"  7×7 type-A MaskedConv2D F → F, ReLU       (output (i, j) sees codes strictly before (i, j))
 * R × residual block i, on its input x:
 *     "res{i}_relu" ReLU → "res{i}_masked_b" 3×3 type-B MaskedConv2D F → F, ReLU → "res{i}_1x1" 1×1 F → F
 *     → "res{i}" = x + that (ElementWiseVertex Add)
 * "head_relu" ReLU → "head_1x1" 1×1 F → F, ReLU → "logits" 1×1 F → K
 * "nll"    {@link SparseCnnLossLayer}, softmax over the K channels at each position, LossSparseMCXENT against
 *          the code indices [N, 1, h, w]
 * </pre>
 * The ReLU layers are {@link CopyingActivationLayer}s: DL4J's ActivationLayer would overwrite the block input that
 * the skip connection also reads, in inference passes.
 *
 * <p>Why indices rather than one-hot codes: the one-hot arrays were 4K bytes per code for both features and labels
 * (8 MiB per 64-grid batch of 8×8 codes with K = 512), and dl4j-spark's parameter averaging keeps its RDD of
 * minibatches Java-serialised, which ND4J writes and reads one float at a time; the indices are 4 bytes per code.
 * The model is the same: a 1×1 convolution without bias on one-hot codes, which this graph used before, computes
 * exactly W[c] at a cell holding code c, which is what the embedding's lookup does. The table is initialised
 * N(0, 1) per entry, as embedding tables usually are, rather than with a fan-in scaling that would make 512-code
 * embeddings tiny.
 *
 * <p>Causality: "masked_a" excludes the centre, the type-B layers include it, 1×1 convolutions and the residual
 * adds are per position, so "logits" at (i, j) depend only on the codes strictly before (i, j) in raster order,
 * and the softmax there is p(c_ij | c_&lt;ij). Feeding the true codes as both input and labels trains all h·w
 * conditionals at once (teacher forcing).
 *
 * <p>The score: the loss layer sums the cross-entropy over the N·h·w positions and divides by N, so the graph's
 * score is the NLL of a whole grid, averaged over examples, in nats; {@link #natsPerCode} divides by h·w.
 */
public final class PixelCnnGraphs {

    private static final Logger LOG = LoggerFactory.getLogger(PixelCnnGraphs.class);

    /** Name of the input: code indices [N, 1, h, w]. */
    public static final String INPUT = "codes";
    /** Name of the embedding layer, a {@link CodeEmbedding} (its parameter "W" [K, F] is the embedding table). */
    public static final String EMBED = "embed";
    /** Name of the 7×7 type-A masked convolution. */
    public static final String MASKED_A = "masked_a";
    /** Name of the layer whose activations are the logits [N, K, h, w]. */
    public static final String LOGITS = "logits";
    /** Name of the output (loss) layer: softmax probabilities [N, K, h, w]. */
    public static final String OUTPUT = "nll";
    /** Kernel size of the type-A layer. */
    public static final int FIRST_KERNEL = 7;
    /** Kernel size of the type-B layers of the residual blocks. */
    public static final int BLOCK_KERNEL = 3;

    private PixelCnnGraphs() {
    }

    /** Name of the ReLU opening residual block i. */
    public static String blockRelu(int i) {
        return "res" + i + "_relu";
    }

    /** Name of the type-B masked convolution of residual block i. */
    public static String blockMasked(int i) {
        return "res" + i + "_masked_b";
    }

    /** Name of the 1×1 convolution of residual block i. */
    public static String blockPointwise(int i) {
        return "res" + i + "_1x1";
    }

    /** Name of the Add vertex ending residual block i (the block's output). */
    public static String block(int i) {
        return "res" + i;
    }

    /** The training configuration in FLOAT with Adam(spec.learningRate). */
    public static ComputationGraphConfiguration trainingConfig(PixelCnnSpec spec) {
        return trainingConfig(spec, DataType.FLOAT, new Adam(spec.learningRate()));
    }

    /** The training configuration in the given data type and updater (NoOp for gradient checks). */
    public static ComputationGraphConfiguration trainingConfig(PixelCnnSpec spec, DataType dataType,
            IUpdater updater) {
        return config(spec, dataType, updater, MaskedConv2D.MaskType.A);
    }

    /**
     * The graph with the first masked layer of the given type: only A is a valid PixelCNN; B exists so a test
     * can show that the causality test catches a leak.
     */
    static ComputationGraphConfiguration config(PixelCnnSpec spec, DataType dataType, IUpdater updater,
            MaskedConv2D.MaskType firstMask) {
        GraphBuilder g = builder(spec, dataType, updater).addInputs(INPUT)
                .setInputTypes(InputType.convolutional(spec.height(), spec.width(), 1));
        g.addLayer(EMBED, new CodeEmbedding.Builder(spec.numCodes(), spec.hiddenChannels())
                .weightInit(new NormalDistribution(0, 1)).build(), INPUT);
        addBody(g, spec, firstMask, EMBED);
        g.addLayer(OUTPUT, new SparseCnnLossLayer(), LOGITS);
        return g.setOutputs(OUTPUT).build();
    }

    /** The network-wide settings: seed, data type, updater, ReLU weight init, Truncate convolutions. */
    static GraphBuilder builder(PixelCnnSpec spec, DataType dataType, IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(spec.seed()).dataType(dataType).updater(updater)
                .weightInit(WeightInit.RELU).convolutionMode(ConvolutionMode.Truncate).graphBuilder();
    }

    /**
     * Adds everything from "masked_a" to "logits" on top of the F-channel embedding {@code embedded}. Shared with
     * the tests, which put it on the former one-hot input to show that the two graphs compute the same thing.
     */
    static void addBody(GraphBuilder g, PixelCnnSpec spec, MaskedConv2D.MaskType firstMask, String embedded) {
        int f = spec.hiddenChannels();
        g.addLayer(MASKED_A, new MaskedConv2D.Builder(firstMask, FIRST_KERNEL).nOut(f).activation(Activation.RELU)
                .build(), embedded);
        String prev = MASKED_A;
        for (int i = 0; i < spec.residualBlocks(); i++) {
            g.addLayer(blockRelu(i), new CopyingActivationLayer(Activation.RELU), prev);
            g.addLayer(blockMasked(i), new MaskedConv2D.Builder(MaskedConv2D.MaskType.B, BLOCK_KERNEL).nOut(f)
                    .activation(Activation.RELU).build(), blockRelu(i));
            g.addLayer(blockPointwise(i), pointwise(f, Activation.IDENTITY).build(), blockMasked(i));
            g.addVertex(block(i), new ElementWiseVertex(ElementWiseVertex.Op.Add), prev, blockPointwise(i));
            prev = block(i);
        }
        g.addLayer("head_relu", new CopyingActivationLayer(Activation.RELU), prev);
        g.addLayer("head_1x1", pointwise(f, Activation.RELU).build(), "head_relu");
        g.addLayer(LOGITS, pointwise(spec.numCodes(), Activation.IDENTITY).weightInit(WeightInit.XAVIER).build(),
                "head_1x1");
    }

    static NativeConv2D.Builder pointwise(int nOut, Activation activation) {
        NativeConv2D.Builder b = new NativeConv2D.Builder(1, 1);
        b.stride(1, 1).padding(0, 0).convolutionMode(ConvolutionMode.Truncate).nOut(nOut).activation(activation);
        return b;
    }

    /** A new, initialised training graph (FLOAT, Adam). */
    public static ComputationGraph newTrainingGraph(PixelCnnSpec spec) {
        ComputationGraph graph = new ComputationGraph(trainingConfig(spec));
        graph.init();
        LOG.info("Built PixelCNN prior graph: {} parameters, {}", graph.numParams(), spec);
        return graph;
    }

    /**
     * Features and labels: the code indices [N, 1, h, w] (FLOAT), the same array for both (Java serialisation then
     * writes it once). codes: [N][h·w], raster order. 4 bytes per code: 16 KiB for 64 grids of 8×8.
     */
    public static MultiDataSet toMultiDataSet(int[][] codes, PixelCnnSpec spec) {
        INDArray in = toInput(codes, spec);
        return new MultiDataSet(new INDArray[] {in}, new INDArray[] {in});
    }

    /** Features and labels: the code indices [N, 1, h, w] (FLOAT), the same array for both. codes: [N, h, w]. */
    public static MultiDataSet toMultiDataSet(INDArray codes, PixelCnnSpec spec) {
        INDArray in = toInput(codes, spec);
        return new MultiDataSet(new INDArray[] {in}, new INDArray[] {in});
    }

    /** The graph's input, code indices FLOAT [N, 1, h, w], of code grids [N][h·w] in raster order (i·w + j). */
    public static INDArray toInput(int[][] codes, PixelCnnSpec spec) {
        int positions = spec.positions();
        float[] data = new float[Math.multiplyExact(codes.length, positions)];
        for (int n = 0; n < codes.length; n++) {
            int[] grid = codes[n];
            if (grid.length != positions) {
                throw new IllegalArgumentException("code grid " + n + " has " + grid.length + " codes, expected "
                        + spec.height() + "x" + spec.width() + " = " + positions);
            }
            for (int p = 0; p < positions; p++) {
                int c = grid[p];
                if (c < 0 || c >= spec.numCodes()) {
                    throw new IllegalArgumentException("code grid " + n + " position " + p + ": code " + c
                            + " outside [0, " + spec.numCodes() + ")");
                }
                data[n * positions + p] = c;
            }
        }
        return Nd4j.create(data, new long[] {codes.length, 1, spec.height(), spec.width()}, 'c');
    }

    /**
     * The graph's input, code indices FLOAT [N, 1, h, w] (a new array), of integer-valued codes [N, h, w] of any
     * numeric type; throws if one is not an integer in [0, K).
     */
    public static INDArray toInput(INDArray codes, PixelCnnSpec spec) {
        checkGrid(codes, spec);
        INDArray in = codes.castTo(DataType.FLOAT).dup('c').reshape('c', codes.size(0), 1, spec.height(),
                spec.width());
        CodeEmbedding.codeIndices(in, spec.numCodes(), "codes");
        return in;
    }

    /**
     * One-hot FLOAT [N, K, h, w] of code grids [N][h·w] in raster order (index i·w + j), 0 ≤ code &lt; K. The graph
     * no longer takes one-hot input; kept for tests comparing it with the one-hot formulation, and for analyses.
     */
    public static INDArray toOneHot(int[][] codes, int height, int width, int numCodes) {
        return toOneHot(codes, height, width, numCodes, DataType.FLOAT);
    }

    /** One-hot [N, K, h, w] in the given data type of code grids [N][h·w] in raster order, 0 ≤ code &lt; K. */
    public static INDArray toOneHot(int[][] codes, int height, int width, int numCodes, DataType dataType) {
        int positions = height * width;
        long size = (long) codes.length * numCodes * positions;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("one-hot batch too large: " + size + " values");
        }
        float[] data = new float[(int) size];
        for (int n = 0; n < codes.length; n++) {
            int[] grid = codes[n];
            if (grid.length != positions) {
                throw new IllegalArgumentException("code grid " + n + " has " + grid.length + " codes, expected "
                        + height + "x" + width + " = " + positions);
            }
            int base = n * numCodes * positions;
            for (int p = 0; p < positions; p++) {
                int c = grid[p];
                if (c < 0 || c >= numCodes) {
                    throw new IllegalArgumentException("code grid " + n + " position " + p + ": code " + c
                            + " outside [0, " + numCodes + ")");
                }
                data[base + c * positions + p] = 1f;
            }
        }
        INDArray out = Nd4j.create(data, new long[] {codes.length, numCodes, height, width}, 'c');
        return dataType == DataType.FLOAT ? out : out.castTo(dataType);
    }

    /** One-hot FLOAT [N, K, h, w] of integer-valued codes [N, h, w] (any numeric type), 0 ≤ code &lt; K. */
    public static INDArray toOneHot(INDArray codes, int numCodes) {
        if (codes.rank() != 3) {
            throw new IllegalArgumentException("codes must be [N, h, w], got rank " + codes.rank());
        }
        int height = (int) codes.size(1);
        int width = (int) codes.size(2);
        int[] flat = codes.dup('c').castTo(DataType.INT).data().asInt();
        int n = (int) codes.size(0);
        int positions = height * width;
        int[][] grids = new int[n][];
        for (int i = 0; i < n; i++) {
            grids[i] = java.util.Arrays.copyOfRange(flat, i * positions, (i + 1) * positions);
        }
        return toOneHot(grids, height, width, numCodes);
    }

    /** Code grids [N][h·w] of a one-hot (or probability) array [N, K, h, w]: the arg-max over K. */
    public static int[][] fromOneHot(INDArray oneHot) {
        int n = (int) oneHot.size(0);
        int positions = (int) (oneHot.size(2) * oneHot.size(3));
        INDArray idx = oneHot.argMax(1).reshape(n, positions).castTo(DataType.INT);
        return idx.toIntMatrix();
    }

    /** The graph's logits [N, K, h, w] for code indices [N, 1, h, w] ({@link #toInput}), inference mode. */
    public static INDArray logits(ComputationGraph graph, INDArray codes) {
        return graph.output(List.of(LOGITS), false, new INDArray[] {codes}, null)[0];
    }

    /**
     * NLL in nats per code from the graph's score (mean over examples of the NLL summed over the h·w positions;
     * the prior adds no regularisation term).
     */
    public static double natsPerCode(double score, PixelCnnSpec spec) {
        return score / spec.positions();
    }

    /**
     * Entropy in nats of the codes' empirical unigram distribution: the NLL per code of the best position-free,
     * context-free model, which the prior's NLL per code is reported against.
     */
    public static double unigramEntropyNats(int[][] codes, int numCodes) {
        long[] counts = new long[numCodes];
        long total = 0;
        for (int[] grid : codes) {
            for (int c : grid) {
                counts[c]++;
                total++;
            }
        }
        double h = 0;
        for (long count : counts) {
            if (count > 0) {
                double p = (double) count / total;
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    private static void checkGrid(INDArray codes, PixelCnnSpec spec) {
        if (codes.rank() != 3 || codes.size(1) != spec.height() || codes.size(2) != spec.width()) {
            throw new IllegalArgumentException("codes must be [N, " + spec.height() + ", " + spec.width() + "], got "
                    + java.util.Arrays.toString(codes.shape()));
        }
    }
}
