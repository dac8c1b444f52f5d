package io.sparkvae.model.prior;

import io.sparkvae.model.layers.LayerSetup;
import java.util.Arrays;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InputType.InputTypeConvolutional;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonIgnore;

/**
 * An embedding table for grids of codes: the input is the code indices themselves, [N, 1, h, w] with integer
 * values 0 ≤ c &lt; K (stored as floats, the network's data type), and the output is [N, F, h, w] holding row c of
 * the one parameter W [K, F] at every cell holding code c.
 *
 * <p>Why not a 1×1 convolution on one-hot codes, which computes the same function: the one-hot input is K floats
 * per cell (2 KiB for K = 512), so a 64-grid batch of 8×8 codes is 8 MiB, and dl4j-spark's parameter averaging
 * stores its RDD of minibatches Java-serialised and repartitions it, which ND4J does one float at a time; the
 * indices are 4 bytes per cell. The lookup is also cheaper than the convolution it replaces: a gather of M = N·h·w
 * rows forward and a scatter-add of M rows backward, instead of GEMMs over all K channels.
 *
 * <p>Like DL4J's {@code EmbeddingLayer}, which does the same for [N, 1] inputs but not for grids, the layer hands
 * no gradient back to its input (the input is discrete); it must be fed by the graph input directly. Indices that
 * are not integers in [0, K) are rejected with an error naming the layer and the cell, rather than silently
 * reading another row. K is {@code nIn} and F is {@code nOut}; there is no bias. The activation defaults to
 * identity (the table is the embedding); any other is applied to the looked-up rows. Dropout is rejected: it
 * would perturb indices, not features.
 */
public class CodeEmbedding extends FeedForwardLayer {

    private static final long serialVersionUID = 1L;

    /** For Jackson. */
    public CodeEmbedding() {
    }

    private CodeEmbedding(Builder builder) {
        super(builder);
    }

    /** K, the number of codes (rows of the table): {@code nIn}, under its meaning here (not a JSON property). */
    @JsonIgnore
    public long getNumCodes() {
        return nIn;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet(getClass().getSimpleName(), getLayerName(), layerIndex, getNIn(), getNOut());
        checkSupported(this);
        return LayerSetup.attach(new CodeEmbeddingLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView,
                initializeParams, initializer());
    }

    @Override
    public ParamInitializer initializer() {
        return CodeEmbeddingParamInitializer.getInstance();
    }

    /** [N, 1, h, w] indices in, [N, F, h, w] embeddings out. */
    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputTypeConvolutional in = checkInputType(inputType);
        return InputType.convolutional(in.getHeight(), in.getWidth(), nOut);
    }

    /**
     * Only validates the input type: K cannot be read from it (the input has one channel, the index), so
     * {@code nIn} stays what the builder set.
     */
    @Override
    public void setNIn(InputType inputType, boolean override) {
        checkInputType(inputType);
    }

    /** None: the input is already the 4-D grid (FeedForwardLayer would flatten it). */
    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        checkInputType(inputType);
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        long numParams = initializer().numParams(this);
        long updaterStateSize = (long) getIUpdater().stateSize(numParams);
        return new LayerMemoryReport.Builder(layerName, CodeEmbedding.class, inputType, outputType)
                .standardMemory(numParams, updaterStateSize)
                // the gathered rows before they are laid out as [N, F, h, w]
                .workingMemory(0, outputType.arrayElementsPerExample(), 0, outputType.arrayElementsPerExample())
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    @Override
    public CodeEmbedding clone() {
        return (CodeEmbedding) super.clone();
    }

    // FeedForwardLayer's Lombok equals would treat a DenseLayer with the same nIn / nOut as equal

    @Override
    public boolean equals(Object o) {
        return o instanceof CodeEmbedding && super.equals(o);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof CodeEmbedding;
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 31 + 7;
    }

    @Override
    public String toString() {
        return "CodeEmbedding(" + super.toString() + ")";
    }

    private InputTypeConvolutional checkInputType(InputType inputType) {
        if (!(inputType instanceof InputTypeConvolutional) || ((InputTypeConvolutional) inputType).getChannels() != 1) {
            throw new IllegalStateException("CodeEmbedding '" + getLayerName() + "' expects code indices as a "
                    + "convolutional input with 1 channel ([N, 1, h, w]), got " + inputType);
        }
        return (InputTypeConvolutional) inputType;
    }

    /** Rejects what the implementation does not do; called by the builder and again at instantiation. */
    static void checkSupported(CodeEmbedding c) {
        String name = "CodeEmbedding '" + c.getLayerName() + "'";
        if (c.getNIn() < 1 || c.getNOut() < 1) {
            throw new IllegalArgumentException(name + ": the number of codes (nIn) and the embedding size (nOut) "
                    + "must be >= 1, got " + c.getNIn() + " and " + c.getNOut());
        }
        if (c.getIDropout() != null) {
            throw new IllegalArgumentException(name + ": dropout is not supported (it would act on code indices)");
        }
    }

    /**
     * The code indices of an [N, 1, h, w] input as ints, in C order (cell (n, i, j) at n·h·w + i·w + j), after
     * checking that each is an integer in [0, numCodes). Copying the M = N·h·w indices to the JVM costs 4 bytes
     * per cell, negligible beside the M·F values the lookup moves, and the indices are needed there for the check.
     *
     * @param what names the caller in messages (e.g. the layer)
     */
    static int[] codeIndices(INDArray codes, long numCodes, String what) {
        if (codes.rank() != 4 || codes.size(1) != 1) {
            throw new IllegalArgumentException(what + ": expected code indices [N, 1, h, w], got shape "
                    + Arrays.toString(codes.shape()));
        }
        double[] values = codes.dup('c').reshape(codes.length()).toDoubleVector();
        int[] out = new int[values.length];
        for (int m = 0; m < values.length; m++) {
            double v = values[m];
            if (!(v >= 0 && v < numCodes) || v != Math.rint(v)) {
                long hw = codes.size(2) * codes.size(3);
                throw new IllegalArgumentException(what + ": code " + v + " at [" + m / hw + ", 0, "
                        + (m % hw) / codes.size(3) + ", " + m % codes.size(3) + "] is not an integer in [0, "
                        + numCodes + ")");
            }
            out[m] = (int) v;
        }
        return out;
    }

    /**
     * Builds a {@link CodeEmbedding}: {@code nIn} is K, the number of codes, and {@code nOut} F, the embedding
     * size. The activation is preset to identity (a network-wide default such as sigmoid would otherwise apply).
     */
    public static class Builder extends FeedForwardLayer.Builder<Builder> {

        /** An embedding of {@code numCodes} codes into {@code channels} channels. */
        public Builder(int numCodes, int channels) {
            this();
            nIn(numCodes);
            nOut(channels);
        }

        /** An embedding whose sizes are set with {@code nIn} / {@code nOut}. */
        public Builder() {
            activation(Activation.IDENTITY);
        }

        @Override
        @SuppressWarnings("unchecked")
        public CodeEmbedding build() {
            CodeEmbedding conf = new CodeEmbedding(this);
            checkSupported(conf);
            return conf;
        }
    }
}
