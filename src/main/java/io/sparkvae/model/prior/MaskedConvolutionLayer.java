package io.sparkvae.model.prior;

import java.util.Arrays;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The implementation of {@link MaskedConv2D}: DL4J's ConvolutionLayer with its passes replaced by libnd4j's
 * {@code conv2d} (on W ⊙ M) and {@code conv2d_bp} (on W ⊙ M, then dW ⊙ M).
 *
 * <p>It follows {@code io.sparkvae.model.layers.NativeConvolutionLayer} (same op arguments, same keeping of the
 * training pre-activation for the backward pass) but cannot extend it: that class and its helpers are
 * package-private to {@code model.layers}. The masked weights W ⊙ M go to a buffer of this layer, outside any
 * workspace, rewritten on every pass from the current parameters: the stored parameters are never modified, and
 * the buffer is as small as the weights (F·F·49 values for a 7×7 layer), far cheaper than the convolution.
 */
final class MaskedConvolutionLayer extends ConvolutionLayer {

    private static final String W = ConvolutionParamInitializer.WEIGHT_KEY;
    private static final String B = ConvolutionParamInitializer.BIAS_KEY;
    /** libnd4j weight format 1: [oC, iC, kH, kW], DL4J's own layout, read without a permuted copy. */
    private static final int WEIGHTS_DL4J_LAYOUT = 1;
    private static final int NCHW = 0;

    private INDArray mask;
    private INDArray maskedWeights;
    /** The input and pre-activation of the last training forward pass (see NativeConvolutionLayer). */
    private INDArray keptInput;
    private INDArray keptZ;

    MaskedConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        helper = null; // DL4J's oneDNN helper never initialises in M2.1; the native ops below are the oneDNN path
    }

    /** M, shaped like the weights, in the layer's data type (created once, outside workspaces). */
    INDArray mask() {
        if (mask == null) {
            mask = ((MaskedConv2D) layerConf()).weightMask(dataType);
        }
        return mask;
    }

    /** W ⊙ M for the given (current) weights, in a buffer reused across passes. */
    private INDArray masked(INDArray weights) {
        INDArray m = mask();
        if (maskedWeights == null || !Arrays.equals(maskedWeights.shape(), weights.shape())) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                maskedWeights = Nd4j.createUninitialized(dataType, weights.shape(), 'c');
            }
        }
        return weights.castTo(dataType).mul(m, maskedWeights);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, mgr);
        INDArray z = preOutput(training, false, mgr).getFirst();
        if (!training) {
            forgetPreActivation();
            return layerConf().getActivationFn().getActivation(z, false);
        }
        // DL4J's activations work in place: keep z for the backward pass, activate a copy
        keptInput = input;
        keptZ = z;
        return layerConf().getActivationFn().getActivation(mgr.dup(ArrayType.ACTIVATIONS, z), true);
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        INDArray weights = masked(getParamWithNoise(W, training, mgr));
        INDArray bias = layerConf().hasBias() ? getParamWithNoise(B, training, mgr) : null;
        INDArray in = checkedInput(weights);
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        int[] outSize = ConvolutionUtils.getOutputSize(in, c.getKernelSize(), c.getStride(), c.getPadding(),
                c.getConvolutionMode(), c.getDilation(), CNN2DFormat.NCHW);
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                new long[] {in.size(0), weights.size(0), outSize[0], outSize[1]}, 'c');
        exec("conv2d", bias == null ? new INDArray[] {in, weights} : new INDArray[] {in, weights, bias}, out);
        return new Pair<>(out, null);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        boolean hasBias = layerConf().hasBias();
        INDArray z = keptInput == input && keptZ != null && !keptZ.wasClosed() ? keptZ : null;
        forgetPreActivation();
        if (z == null) {
            z = preOutput(true, true, mgr).getFirst();
        }
        INDArray weights = masked(getParamWithNoise(W, true, mgr));
        INDArray bias = hasBias ? getParamWithNoise(B, true, mgr) : null;
        INDArray in = checkedInput(weights);
        INDArray delta = layerConf().getActivationFn().backprop(z, epsilon.castTo(dataType)).getFirst();

        INDArray weightGrad = gradientViews.get(W);
        INDArray biasGrad = gradientViews.get(B);
        INDArray epsOut = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, in.shape(), 'c');
        if (hasBias) {
            exec("conv2d_bp", new INDArray[] {in, weights, bias, delta}, epsOut, weightGrad, biasGrad);
        } else {
            exec("conv2d_bp", new INDArray[] {in, weights, delta}, epsOut, weightGrad);
        }
        // conv2d_bp differentiates with respect to W ⊙ M; the chain rule through ⊙ M multiplies by M
        weightGrad.muli(mask());

        Gradient gradient = new DefaultGradient();
        if (hasBias) {
            gradient.setGradientFor(B, biasGrad);
        }
        gradient.setGradientFor(W, weightGrad, 'c');
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(epsOut));
    }

    @Override
    public void clear() {
        super.clear();
        forgetPreActivation();
    }

    private void forgetPreActivation() {
        keptInput = null;
        keptZ = null;
    }

    private INDArray checkedInput(INDArray weights) {
        if (input.rank() != 4 || input.size(1) != weights.size(1)) {
            throw new DL4JInvalidInputException("MaskedConv2D '" + layerConf().getLayerName()
                    + "' expects NCHW input [batch, " + weights.size(1) + ", height, width], got "
                    + Arrays.toString(input.shape()) + " " + layerId());
        }
        return input.castTo(dataType);
    }

    private void exec(String op, INDArray[] inputs, INDArray... outputs) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] p = c.getPadding();
        int[] d = c.getDilation();
        Nd4j.getExecutioner().exec(DynamicCustomOp.builder(op)
                .addInputs(inputs)
                .addIntegerArguments(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], 0, NCHW, WEIGHTS_DL4J_LAYOUT)
                .addOutputs(outputs)
                .callInplace(false)
                .build());
    }
}
