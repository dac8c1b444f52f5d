package io.sparkvae.model.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 2-D convolution layer whose forward and backward passes are libnd4j's {@code conv2d} / {@code conv2d_bp} ops
 * (oneDNN with the {@code -onednn} natives). Configuration, parameters and their layout ([out, in, kH, kW] weights,
 * [1, out] bias), JSON and serialisation are those of DL4J's {@link ConvolutionLayer}, so a model can switch between
 * the two on the same weights. NCHW only; Truncate or Strict convolution mode with explicit padding.
 */
public class NativeConv2D extends ConvolutionLayer {

    private static final long serialVersionUID = 1L;

    /** For Jackson. */
    public NativeConv2D() {
    }

    private NativeConv2D(Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        return NativeConvOps.instantiate(this, conf, listeners, layerIndex, paramsView, initializeParams,
                networkDataType);
    }

    @Override
    public NativeConv2D clone() {
        return (NativeConv2D) super.clone();
    }

    /** The builder of DL4J's ConvolutionLayer, building a {@link NativeConv2D}. */
    public static class Builder extends ConvolutionLayer.Builder {

        /** Kernel height and width. */
        public Builder(int... kernelSize) {
            super(kernelSize);
        }

        @Override
        public NativeConv2D build() {
            ConvolutionUtils.validateConvolutionModePadding(convolutionMode, padding);
            ConvolutionUtils.validateCnnKernelStridePadding(kernelSize, stride, padding);
            NativeConv2D conf = new NativeConv2D(this);
            NativeConvOps.checkSupported(conf);
            return conf;
        }
    }
}
