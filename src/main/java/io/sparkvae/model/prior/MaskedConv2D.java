package io.sparkvae.model.prior;

import io.sparkvae.model.layers.LayerSetup;
import java.util.Arrays;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A PixelCNN masked convolution (van den Oord et al. 2016): a "same" 2-D convolution whose kernel sees only the
 * positions before the centre in raster order (mask type {@link MaskType#A}), or those and the centre
 * ({@link MaskType#B}). Stacking one type-A layer on the input and type-B layers after it makes output (i, j) a
 * function of the inputs strictly before (i, j) only, which is what an autoregressive prior over code grids needs.
 *
 * <p>The forward and backward passes are libnd4j's {@code conv2d} / {@code conv2d_bp} ops (oneDNN with the
 * {@code -onednn} natives), as in {@code io.sparkvae.model.layers.NativeConv2D}; see {@link MaskedConvolutionLayer}.
 * The layer convolves with W ⊙ M and multiplies the weight gradient by M, so a masked weight neither influences an
 * output nor receives a gradient, whatever value it holds (weights loaded from elsewhere, or averaged in from
 * another worker). Freshly initialised networks also start with the masked weights at zero, so the stored
 * parameters say what the layer computes and an L1/L2 penalty sees only live weights.
 *
 * <p>Configuration, parameter layout ([out, in, kH, kW] weights, [1, out] bias), JSON and serialisation are those
 * of DL4J's {@link ConvolutionLayer} plus the mask type; a stock ConvolutionLayer given the pre-masked weights
 * computes the same function. Only what keeps the output aligned with the input is accepted: odd kernel, stride 1,
 * dilation 1, padding (k − 1) / 2, Truncate or Strict mode, NCHW.
 */
public class MaskedConv2D extends ConvolutionLayer {

    private static final long serialVersionUID = 1L;

    /** Which kernel positions a {@link MaskedConv2D} sees, relative to the output position (i, j). */
    public enum MaskType {
        /** Positions strictly before (i, j) in raster order: for the first layer, which sees the raw codes. */
        A,
        /** Positions before (i, j) and (i, j) itself: for every later layer, whose (i, j) is already causal. */
        B
    }

    private MaskType maskType = MaskType.B;

    /** For Jackson. */
    public MaskedConv2D() {
    }

    private MaskedConv2D(Builder builder) {
        super(builder);
        this.maskType = builder.maskType;
    }

    public MaskType getMaskType() {
        return maskType;
    }

    public void setMaskType(MaskType maskType) {
        this.maskType = maskType;
    }

    /**
     * The spatial mask of a kH × kW kernel, [kH][kW] with 1 for a live weight and 0 for a masked one. Kernel offset
     * (a, b) reads input position (i + a − (kH−1)/2, j + b − (kW−1)/2) for output (i, j) (libnd4j's conv2d is a
     * cross-correlation), so rows above the centre are live, and in the centre row the columns left of the centre
     * (and the centre itself for type B).
     */
    public static boolean[][] spatialMask(MaskType type, int kH, int kW) {
        checkKernel(kH, kW, "");
        int ci = (kH - 1) / 2;
        int cj = (kW - 1) / 2;
        boolean[][] live = new boolean[kH][kW];
        for (int a = 0; a < kH; a++) {
            for (int b = 0; b < kW; b++) {
                live[a][b] = a < ci || (a == ci && (b < cj || (b == cj && type == MaskType.B)));
            }
        }
        return live;
    }

    /** The mask M of weights shaped [out, in, kH, kW] (DL4J's layout), in the given data type, detached. */
    public static INDArray weightMask(MaskType type, long[] weightShape, DataType dataType) {
        int kH = (int) weightShape[2];
        int kW = (int) weightShape[3];
        boolean[][] live = spatialMask(type, kH, kW);
        long perKernel = (long) kH * kW;
        long kernels = weightShape[0] * weightShape[1];
        double[] m = new double[Math.toIntExact(kernels * perKernel)];
        for (long k = 0; k < kernels; k++) {
            for (int a = 0; a < kH; a++) {
                for (int b = 0; b < kW; b++) {
                    m[(int) (k * perKernel + (long) a * kW + b)] = live[a][b] ? 1 : 0;
                }
            }
        }
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return Nd4j.create(m, weightShape, 'c').castTo(dataType);
        }
    }

    /** The mask of this layer's weights (its kernel, nIn and nOut must be set). */
    public INDArray weightMask(DataType dataType) {
        return weightMask(maskType, new long[] {getNOut(), getNIn(), kernelSize[0], kernelSize[1]}, dataType);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet(getClass().getSimpleName(), getLayerName(), layerIndex, getNIn(), getNOut());
        checkSupported(this);
        MaskedConvolutionLayer layer = LayerSetup.attach(new MaskedConvolutionLayer(conf, networkDataType), conf,
                listeners, layerIndex, paramsView, initializeParams, initializer());
        if (initializeParams) {
            // A fresh network: zero the masked weights (see the class comment); loaded parameters are left as they are
            layer.paramTable().get(ConvolutionParamInitializer.WEIGHT_KEY).muli(layer.mask());
        }
        return layer;
    }

    @Override
    public MaskedConv2D clone() {
        return (MaskedConv2D) super.clone();
    }

    // Lombok's equals/hashCode of ConvolutionLayer would ignore the mask type and treat a stock layer as equal

    @Override
    public boolean equals(Object o) {
        return o instanceof MaskedConv2D && super.equals(o) && maskType == ((MaskedConv2D) o).maskType;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof MaskedConv2D;
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 31 + (maskType == null ? 0 : maskType.hashCode());
    }

    @Override
    public String toString() {
        return "MaskedConv2D(maskType=" + maskType + ", " + super.toString() + ")";
    }

    /**
     * Rejects any setting under which output (i, j) would not be aligned with input (i, j) (the mask would then
     * not mean "before (i, j)"), or which the native ops do not implement; the message names the layer. Called
     * by the builder and again when the layer is instantiated (a network-wide convolution mode applies late).
     */
    static void checkSupported(MaskedConv2D c) {
        String name = "MaskedConv2D '" + c.getLayerName() + "'";
        if (c.maskType == null) {
            throw new IllegalArgumentException(name + ": mask type must be set (A or B)");
        }
        int[] k = c.getKernelSize();
        checkKernel(k[0], k[1], name);
        ConvolutionMode mode = c.getConvolutionMode();
        if (mode != null && mode != ConvolutionMode.Truncate && mode != ConvolutionMode.Strict) {
            throw new IllegalArgumentException(name + ": convolution mode " + mode
                    + " is not supported; use Truncate or Strict (the padding is set to (k - 1) / 2)");
        }
        if (!Arrays.equals(c.getStride(), new int[] {1, 1})) {
            throw new IllegalArgumentException(name + ": stride must be 1, got " + Arrays.toString(c.getStride()));
        }
        if (!Arrays.equals(c.getDilation(), new int[] {1, 1})) {
            throw new IllegalArgumentException(name + ": dilation must be 1, got "
                    + Arrays.toString(c.getDilation()));
        }
        int[] same = {(k[0] - 1) / 2, (k[1] - 1) / 2};
        if (!Arrays.equals(c.getPadding(), same)) {
            throw new IllegalArgumentException(name + ": padding must be (k - 1) / 2 = " + Arrays.toString(same)
                    + " to keep outputs aligned with inputs, got " + Arrays.toString(c.getPadding()));
        }
        if (c.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
            throw new IllegalArgumentException(name + ": only NCHW is supported, got " + c.getCnn2dDataFormat());
        }
    }

    private static void checkKernel(int kH, int kW, String name) {
        if (kH < 1 || kW < 1 || kH % 2 == 0 || kW % 2 == 0) {
            throw new IllegalArgumentException((name.isEmpty() ? "" : name + ": ")
                    + "masked convolution kernels must have odd sizes (a centre), got " + kH + "x" + kW);
        }
    }

    /**
     * The builder of DL4J's ConvolutionLayer with a mask type, building a {@link MaskedConv2D}. Stride 1, padding
     * (k − 1) / 2 and Truncate mode are preset; changing them makes {@link #build()} fail. The fluent methods
     * inherited from ConvolutionLayer.Builder return that type, whose {@code build()} still builds a MaskedConv2D.
     */
    public static class Builder extends ConvolutionLayer.Builder {

        private final MaskType maskType;

        /** A masked convolution of the given type and (odd) kernel height and width. */
        public Builder(MaskType maskType, int kH, int kW) {
            super(kH, kW);
            checkKernel(kH, kW, "");
            this.maskType = maskType;
            stride(1, 1);
            padding((kH - 1) / 2, (kW - 1) / 2);
            convolutionMode(ConvolutionMode.Truncate);
        }

        /** A square masked convolution. */
        public Builder(MaskType maskType, int k) {
            this(maskType, k, k);
        }

        @Override
        public MaskedConv2D build() {
            ConvolutionUtils.validateConvolutionModePadding(convolutionMode, padding);
            ConvolutionUtils.validateCnnKernelStridePadding(kernelSize, stride, padding);
            MaskedConv2D conf = new MaskedConv2D(this);
            checkSupported(conf);
            return conf;
        }
    }
}
