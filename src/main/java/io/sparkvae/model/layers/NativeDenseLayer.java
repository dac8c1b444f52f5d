package io.sparkvae.model.layers;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The implementation of {@link NativeDense}: DL4J's DenseLayer with its products done by libnd4j's {@code matmul}
 * op (oneDNN) instead of OpenBLAS's gemm, and the pre-activation of a training forward pass kept for the backward
 * pass ({@link PreActivationCache}) instead of being recomputed as the stock layer does.
 */
public class NativeDenseLayer extends DenseLayer {

    private static final String W = DefaultParamInitializer.WEIGHT_KEY;
    private static final String B = DefaultParamInitializer.BIAS_KEY;

    private final transient PreActivationCache preActivation = new PreActivationCache();

    NativeDenseLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, mgr);
        INDArray z = preOutputWithPreNorm(training, false, mgr).getFirst();
        return preActivation.activate(z, layerConf().getActivationFn(), training, input, mgr);
    }

    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop,
            LayerWorkspaceMgr mgr) {
        assertInputSet(forBackprop);
        INDArray weights = getParamWithNoise(W, training, mgr);
        INDArray in = checkedInput(weights);
        INDArray z = mgr.createUninitialized(ArrayType.ACTIVATIONS, weights.dataType(),
                new long[] {in.size(0), weights.size(1)}, 'c');
        matmul(in, weights, z, false, false);
        if (hasBias()) {
            z.addiRowVector(getParamWithNoise(B, training, mgr));
        }
        if (maskArray != null) {
            applyMask(z);
        }
        return new Pair<>(z, null);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        INDArray z = preActivation.take(input);
        if (z == null) {
            z = preOutputWithPreNorm(true, true, mgr).getFirst();
        }
        INDArray delta = layerConf().getActivationFn().backprop(z, epsilon.castTo(dataType)).getFirst();
        if (maskArray != null) {
            applyMask(delta);
        }
        Gradient gradient = new DefaultGradient();
        if (hasBias()) {
            INDArray biasGrad = gradientViews.get(B);
            delta.sum(biasGrad, 0);
            gradient.gradientForVariable().put(B, biasGrad);
        }
        INDArray weights = getParamWithNoise(W, true, mgr);
        INDArray in = checkedInput(weights);
        INDArray weightGrad = gradientViews.get(W);
        matmul(in, delta, weightGrad, true, false);
        gradient.gradientForVariable().put(W, weightGrad);
        INDArray epsOut = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(),
                new long[] {in.size(0), weights.size(0)}, 'c');
        matmul(delta, weights, epsOut, false, true);
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(epsOut));
    }

    @Override
    public void clear() {
        super.clear();
        preActivation.clear();
    }

    /** out = op(x) · op(y), op a transpose where asked, by libnd4j's matmul (oneDNN), into out as it lies. */
    static void matmul(INDArray x, INDArray y, INDArray out, boolean transposeX, boolean transposeY) {
        NativeConvOps.exec("matmul", new int[] {transposeX ? 1 : 0, transposeY ? 1 : 0, 0}, new INDArray[] {x, y},
                out);
    }

    private INDArray checkedInput(INDArray weights) {
        if (input.rank() != 2 || input.size(1) != weights.size(0)) {
            throw new DL4JInvalidInputException("NativeDense '" + layerConf().getLayerName() + "' expects input [batch, "
                    + weights.size(0) + "], got " + java.util.Arrays.toString(input.shape()) + " " + layerId());
        }
        return input.castTo(weights.dataType());
    }
}
