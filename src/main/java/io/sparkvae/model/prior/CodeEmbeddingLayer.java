package io.sparkvae.model.prior;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The implementation of {@link CodeEmbedding}, with libnd4j ops doing the work on the M = N·h·w cells:
 * forward, {@code gather} of the M table rows [M, F], laid out as [N, F, h, w]; backward, the [N, F, h, w]
 * gradient laid out as [M, F] rows and summed into the rows of dW [K, F] by {@code scatter_add}.
 *
 * <p>The scatter-add runs with libnd4j's {@code lock} flag, which makes it process the rows one after another.
 * Without it libnd4j splits the M rows between threads, and as a code occurs many times in a batch, several
 * threads may add into the same row of dW at once (measured: the unlocked sums already differed from the serial
 * ones in the last bits, so the rows were split). Serial, it took about 5 ms for M = 4096, F = 64, K = 512 on the
 * 2-core development machine, as did {@code unsorted_segment_sum} and DL4J's own {@code Nd4j.scatterUpdate}; a
 * one-hot [M, K] matrix times the gradient took about 20 ms, and the 1×1 convolution this layer replaces did that
 * GEMM plus a second one for the (useless) gradient of its one-hot input. The gather took about 1 ms.
 *
 * <p>The input gets no gradient (null epsilon, as in DL4J's EmbeddingLayer): ComputationGraph passes it on to the
 * input vertex, which ignores it.
 */
final class CodeEmbeddingLayer extends BaseLayer<CodeEmbedding> {

    private static final String W = CodeEmbeddingParamInitializer.WEIGHT_KEY;

    CodeEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        INDArray z = preOutput(training, mgr);
        return layerConf().getActivationFn().getActivation(z, training);
    }

    /** The looked-up rows [N, F, h, w] (before the activation), in the activations workspace. */
    @Override
    protected INDArray preOutput(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        INDArray table = getParamWithNoise(W, training, mgr);
        int[] codes = CodeEmbedding.codeIndices(input, table.size(0), name());
        long n = input.size(0);
        long h = input.size(2);
        long w = input.size(3);
        long f = table.size(1);
        INDArray rows = Nd4j.createUninitialized(table.dataType(), codes.length, f);
        Nd4j.exec(DynamicCustomOp.builder("gather")
                .addInputs(table, Nd4j.createFromArray(codes))
                .addIntegerArguments(0)
                .addOutputs(rows)
                .build());
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, table.dataType(), new long[] {n, f, h, w}, 'c');
        return out.assign(rows.reshape('c', n, h, w, f).permute(0, 3, 1, 2));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        IActivation activation = layerConf().getActivationFn();
        INDArray delta = activation instanceof ActivationIdentity ? epsilon
                : activation.backprop(preOutput(true, mgr), epsilon).getFirst();
        INDArray weightGrad = gradientViews.get(W);
        int[] codes = CodeEmbedding.codeIndices(input, weightGrad.size(0), name());
        long f = weightGrad.size(1);
        // row m of [M, F] is cell m of the C-order [N, h, w] grid, as codes[m]
        INDArray rows = delta.permute(0, 2, 3, 1).castTo(weightGrad.dataType()).dup('c').reshape('c', codes.length, f);
        weightGrad.assign(0);
        Nd4j.exec(DynamicCustomOp.builder("scatter_add")
                .addInputs(weightGrad, Nd4j.createFromArray(codes), rows)
                .addOutputs(weightGrad)
                .addBooleanArguments(true) // lock: serial, see the class comment
                .callInplace(true)
                .build());
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(W, weightGrad, 'c');
        weightNoiseParams.clear();
        return new Pair<>(gradient, null);
    }

    @Override
    public boolean hasBias() {
        return false;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public Type type() {
        return Type.CONVOLUTIONAL;
    }

    private String name() {
        return "CodeEmbedding '" + layerConf().getLayerName() + "'";
    }
}
