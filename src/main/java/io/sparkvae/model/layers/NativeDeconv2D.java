package io.sparkvae.model.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 2-D transposed convolution whose forward and backward passes are libnd4j's {@code deconv2d} /
 * {@code deconv2d_bp} ops on DL4J's weight layout ([in, out, kH, kW]), without the permuted copy DL4J's own layer
 * makes. Configuration, parameters, JSON and serialisation are those of DL4J's {@link Deconvolution2D}, so a model
 * can switch between the two on the same weights. NCHW only; Truncate or Strict mode.
 */
public class NativeDeconv2D extends Deconvolution2D {

    private static final long serialVersionUID = 1L;

    /** For Jackson. */
    public NativeDeconv2D() {
    }

    private NativeDeconv2D(Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        return NativeConvOps.instantiate(this, conf, listeners, layerIndex, paramsView, initializeParams,
                networkDataType);
    }

    @Override
    public NativeDeconv2D clone() {
        return (NativeDeconv2D) super.clone();
    }

    /** The builder of DL4J's Deconvolution2D, building a {@link NativeDeconv2D}. */
    public static class Builder extends Deconvolution2D.Builder {

        /** Kernel height and width. */
        public Builder(int... kernelSize) {
            super(kernelSize);
        }

        @Override
        public NativeDeconv2D build() {
            NativeDeconv2D conf = new NativeDeconv2D(this);
            NativeConvOps.checkSupported(conf);
            return conf;
        }
    }
}
