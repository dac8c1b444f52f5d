package io.sparkvae.model.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Calls of libnd4j's {@code conv2d}, {@code conv2d_bp}, {@code deconv2d} and {@code deconv2d_bp} custom ops for
 * {@link NativeConv2D} and {@link NativeDeconv2D}. With the {@code -onednn} natives these ops run on oneDNN; DL4J
 * M2.1's own ConvolutionLayer never reaches them (it does im2col + gemm in Java).
 *
 * <p>Weights are passed in DL4J's own layout, so no permuted copy is made: libnd4j's weight-format argument 1 means
 * [out, in, kH, kW] for conv2d and [in, out, kH, kW] for deconv2d, which is how DL4J stores them.
 */
final class NativeConvOps {

    /** libnd4j weight format 1: conv2d [oC, iC, kH, kW]; deconv2d [iC, oC, kH, kW]. */
    private static final int WEIGHTS_DL4J_LAYOUT = 1;
    private static final int NCHW = 0;

    private NativeConvOps() {
    }

    /** The integer arguments shared by all four ops, for a layer in Truncate or Strict mode. */
    static int[] intArgs(ConvolutionLayer conf) {
        int[] k = conf.getKernelSize();
        int[] s = conf.getStride();
        int[] p = conf.getPadding();
        int[] d = conf.getDilation();
        return new int[] {k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], 0, NCHW, WEIGHTS_DL4J_LAYOUT};
    }

    /** Checks the configuration and builds the layer with its parameters (a view of the network's). */
    static Layer instantiate(ConvolutionLayer layerConf, NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners, int layerIndex, INDArray paramsView, boolean initializeParams,
            DataType networkDataType) {
        LayerValidation.assertNInNOutSet(layerConf.getClass().getSimpleName(), layerConf.getLayerName(), layerIndex,
                layerConf.getNIn(), layerConf.getNOut());
        checkSupported(layerConf);
        return LayerSetup.attach(new NativeConvolutionLayer(conf, networkDataType), conf, listeners, layerIndex,
                paramsView, initializeParams, layerConf.initializer());
    }

    /**
     * Rejects what the native layers do not implement, naming the layer. A null mode (not set yet: the network's
     * global mode applies) passes here and is checked again when the layer is instantiated.
     */
    static void checkSupported(ConvolutionLayer conf) {
        String kind = conf.getClass().getSimpleName();
        ConvolutionMode mode = conf.getConvolutionMode();
        if (mode != null && mode != ConvolutionMode.Truncate && mode != ConvolutionMode.Strict) {
            throw new IllegalArgumentException(kind + " '" + conf.getLayerName() + "': convolution mode " + mode
                    + " is not supported; use Truncate or Strict with explicit padding");
        }
        if (conf.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
            throw new IllegalArgumentException(kind + " '" + conf.getLayerName() + "': only NCHW is supported, got "
                    + conf.getCnn2dDataFormat());
        }
    }

    /** {@code before}, then the bias if there is one, then {@code after}: the input order of all four ops. */
    static INDArray[] inputs(INDArray[] before, INDArray bias, INDArray... after) {
        INDArray[] out = new INDArray[before.length + (bias == null ? 0 : 1) + after.length];
        System.arraycopy(before, 0, out, 0, before.length);
        int i = before.length;
        if (bias != null) {
            out[i++] = bias;
        }
        System.arraycopy(after, 0, out, i, after.length);
        return out;
    }

    /** out[n, c, h, w] += bias[c] with libnd4j's biasadd op (a generic broadcast add is 7x slower here). */
    static void addBiasInPlace(INDArray out, INDArray bias) {
        Nd4j.getExecutioner().exec(DynamicCustomOp.builder("biasadd")
                .addInputs(out, bias.reshape(bias.length()))
                .addOutputs(out)
                .addBooleanArguments(true) // NCHW
                .callInplace(true)
                .build());
    }

    /** Runs op {@code name} with the given inputs into the given (pre-allocated) outputs. */
    static void exec(String name, int[] intArgs, INDArray[] inputs, INDArray... outputs) {
        DynamicCustomOp op = DynamicCustomOp.builder(name)
                .addInputs(inputs)
                .addIntegerArguments(intArgs)
                .addOutputs(outputs)
                .callInplace(false)
                .build();
        Nd4j.getExecutioner().exec(op);
    }
}
