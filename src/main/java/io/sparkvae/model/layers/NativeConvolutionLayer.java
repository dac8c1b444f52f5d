package io.sparkvae.model.layers;

import java.util.Arrays;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The implementation of {@link NativeConv2D} and {@link NativeDeconv2D}: DL4J's ConvolutionLayer with its forward
 * and backward passes replaced by libnd4j's {@code conv2d}/{@code conv2d_bp} or, transposed,
 * {@code deconv2d}/{@code deconv2d_bp} ops. Weights stay in DL4J's layout ([out, in, kH, kW] for a convolution,
 * [in, out, kH, kW] transposed), which libnd4j reads directly. The pre-activation of a training forward pass is kept
 * for the backward pass ({@link PreActivationCache}) instead of being recomputed as the stock layers do.
 */
public class NativeConvolutionLayer extends ConvolutionLayer {

    private static final String W = ConvolutionParamInitializer.WEIGHT_KEY;
    private static final String B = ConvolutionParamInitializer.BIAS_KEY;

    private final boolean transposed;
    private final transient PreActivationCache preActivation = new PreActivationCache();

    NativeConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        transposed = conf.getLayer() instanceof Deconvolution2D;
        helper = null; // DL4J's oneDNN helper never initialises in M2.1; the ops below are the oneDNN path
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, mgr);
        INDArray z = preOutput(training, false, mgr).getFirst();
        return preActivation.activate(z, layerConf().getActivationFn(), training, input, mgr);
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        INDArray weights = getParamWithNoise(W, training, mgr);
        INDArray bias = layerConf().hasBias() ? getParamWithNoise(B, training, mgr) : null;
        INDArray in = checkedInput(weights);
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        int[] outSize = transposed
                ? ConvolutionUtils.getDeconvolutionOutputSize(in, c.getKernelSize(), c.getStride(), c.getPadding(),
                        c.getConvolutionMode(), c.getDilation(), CNN2DFormat.NCHW)
                : ConvolutionUtils.getOutputSize(in, c.getKernelSize(), c.getStride(), c.getPadding(),
                        c.getConvolutionMode(), c.getDilation(), CNN2DFormat.NCHW);
        long outChannels = weights.size(transposed ? 1 : 0);
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                new long[] {in.size(0), outChannels, outSize[0], outSize[1]}, 'c');
        if (transposed) {
            // libnd4j's oneDNN deconv2d adds a bias at half the speed of the whole deconvolution: add it apart
            NativeConvOps.exec("deconv2d", NativeConvOps.intArgs(c), new INDArray[] {in, weights}, out);
            if (bias != null) {
                NativeConvOps.addBiasInPlace(out, bias);
            }
        } else {
            NativeConvOps.exec("conv2d", NativeConvOps.intArgs(c),
                    NativeConvOps.inputs(new INDArray[] {in, weights}, bias), out);
        }
        return new Pair<>(out, null);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        INDArray weights = getParamWithNoise(W, true, mgr);
        boolean hasBias = layerConf().hasBias();
        INDArray bias = hasBias ? getParamWithNoise(B, true, mgr) : null;
        INDArray in = checkedInput(weights);
        INDArray z = preActivation.take(input);
        if (z == null) {
            z = preOutput(true, true, mgr).getFirst();
        }
        INDArray delta = layerConf().getActivationFn().backprop(z, epsilon.castTo(dataType)).getFirst();

        INDArray weightGrad = gradientViews.get(W);
        INDArray biasGrad = gradientViews.get(B);
        INDArray epsOut = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, in.shape(), 'c');
        if (transposed) {
            NativeConvOps.exec("deconv2d_bp", NativeConvOps.intArgs(layerConf()), new INDArray[] {in, weights, delta},
                    epsOut, weightGrad);
            if (hasBias) {
                biasGrad.assign(delta.sum(0, 2, 3).reshape(biasGrad.shape()));
            }
        } else {
            INDArray[] outputs = hasBias ? new INDArray[] {epsOut, weightGrad, biasGrad}
                    : new INDArray[] {epsOut, weightGrad};
            NativeConvOps.exec("conv2d_bp", NativeConvOps.intArgs(layerConf()),
                    NativeConvOps.inputs(new INDArray[] {in, weights}, bias, delta), outputs);
        }

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
        preActivation.clear();
    }

    private INDArray checkedInput(INDArray weights) {
        long inChannels = weights.size(transposed ? 0 : 1);
        if (input.rank() != 4 || input.size(1) != inChannels) {
            throw new DL4JInvalidInputException(layerConf().getClass().getSimpleName() + " '"
                    + layerConf().getLayerName() + "' expects NCHW input [batch, " + inChannels
                    + ", height, width], got " + Arrays.toString(input.shape()) + " " + layerId());
        }
        return input.castTo(dataType);
    }
}
