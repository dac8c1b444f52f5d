package io.sparkvae.model.prior;

import io.sparkvae.model.layers.LayerSetup;
import java.util.Arrays;
import java.util.Collection;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * DL4J's {@link CnnLossLayer} (softmax over the channels at each position, the loss summed over the N·h·w
 * positions and divided by N) with sparse labels: the class indices [N, 1, h, w] instead of one-hot [N, K, h, w],
 * scored by {@link LossSparseMCXENT}. For the PixelCNN prior that makes the labels 4 bytes per cell instead of 4K.
 *
 * <p>Why a subclass: in DL4J 1.0.0-M2.1, CnnLossLayer's score path already works with such labels (it reshapes
 * them [N, 1, h, w] → [N·h·w, 1], the shape LossSparseMCXENT wants), but its {@code backpropGradient} first
 * requires {@code input.equalShapes(labels)} and so rejects them. The implementation below is that backward pass
 * without the check; the loss, the reshapes and the score are DL4J's. It replaces the check by its own: labels
 * [N, 1, h, w] matching the input's N, h and w, holding integers in [0, K) (LossSparseMCXENT's one-hot op would
 * turn an index out of range into a zero row: a silent zero loss and a wrong gradient).
 *
 * <p>Configuration, JSON (under this class name) and serialisation are CnnLossLayer's; the loss function must be
 * LossSparseMCXENT and the format NCHW. A new layer comes with that loss and softmax.
 */
public class SparseCnnLossLayer extends CnnLossLayer {

    private static final long serialVersionUID = 1L;

    /** Softmax with LossSparseMCXENT; also Jackson's constructor (which then sets the stored values). */
    public SparseCnnLossLayer() {
        setLossFn(new LossSparseMCXENT());
        setActivationFn(Activation.SOFTMAX.getActivationFunction());
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners, int layerIndex, INDArray paramsView, boolean initializeParams,
            DataType networkDataType) {
        if (!(getLossFn() instanceof LossSparseMCXENT)) {
            throw new IllegalStateException("SparseCnnLossLayer '" + getLayerName() + "' needs LossSparseMCXENT, got "
                    + getLossFn());
        }
        if (getFormat() != CNN2DFormat.NCHW) {
            throw new IllegalStateException("SparseCnnLossLayer '" + getLayerName() + "' supports NCHW only, got "
                    + getFormat());
        }
        return LayerSetup.attach(new Impl(conf, networkDataType), conf, listeners, layerIndex, paramsView,
                initializeParams, initializer());
    }

    @Override
    public SparseCnnLossLayer clone() {
        return (SparseCnnLossLayer) super.clone();
    }

    // CnnLossLayer's Lombok equals would treat a stock CnnLossLayer with the same loss as equal

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseCnnLossLayer && super.equals(o);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof SparseCnnLossLayer;
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 31 + 3;
    }

    /** DL4J's CnnLossLayer implementation taking class-index labels [N, 1, h, w] (see the class comment). */
    static final class Impl extends org.deeplearning4j.nn.layers.convolution.CnnLossLayer {

        Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        /** M2.1's CnnLossLayer.backpropGradient (NCHW), with the label check in place of the equal-shape check. */
        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
            assertInputSet(true);
            checkLabels();
            CNN2DFormat format = CNN2DFormat.NCHW;
            INDArray input2d = ConvolutionUtils.reshape4dTo2d(input, format, mgr, ArrayType.FF_WORKING_MEM);
            INDArray labels2d = ConvolutionUtils.reshape4dTo2d(labels, format, mgr, ArrayType.FF_WORKING_MEM);
            INDArray mask2d = ConvolutionUtils.reshapeMaskIfRequired(maskArray, input, format, mgr,
                    ArrayType.FF_WORKING_MEM);
            INDArray delta2d = layerConf().getLossFn().computeGradient(labels2d, input2d.dup(input2d.ordering()),
                    layerConf().getActivationFn(), mask2d);
            delta2d = mgr.leverageTo(ArrayType.ACTIVATION_GRAD, delta2d);
            INDArray delta4d = ConvolutionUtils.reshape2dTo4d(delta2d, input.shape(), format, mgr,
                    ArrayType.ACTIVATION_GRAD);
            return new Pair<>(new DefaultGradient(), delta4d);
        }

        @Override
        public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr mgr) {
            checkLabels();
            return super.computeScore(fullNetRegTerm, training, mgr);
        }

        @Override
        public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr mgr) {
            checkLabels();
            return super.computeScoreForExamples(fullNetRegTerm, mgr);
        }

        private void checkLabels() {
            String name = "SparseCnnLossLayer '" + layerConf().getLayerName() + "'";
            if (labels == null) {
                throw new IllegalStateException(name + ": labels are not set");
            }
            if (input == null || input.rank() != 4) {
                throw new IllegalStateException(name + ": expected input [N, K, h, w], got "
                        + (input == null ? "none" : Arrays.toString(input.shape())));
            }
            long[] in = input.shape();
            long[] expected = {in[0], 1, in[2], in[3]};
            if (!Arrays.equals(labels.shape(), expected)) {
                throw new IllegalArgumentException(name + ": labels must be class indices "
                        + Arrays.toString(expected) + " for input " + Arrays.toString(in) + ", got "
                        + Arrays.toString(labels.shape()));
            }
            CodeEmbedding.codeIndices(labels, in[1], name + " labels");
        }
    }
}
