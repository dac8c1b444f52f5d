package io.sparkvae.model.layers;

import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link ActivationLayer}, except that it never overwrites its input. DL4J M2.1's ActivationLayer applies its
 * activation in place at inference ({@code LayerWorkspaceMgr.leverageTo} hands back the input array itself), so
 * when its input also feeds another vertex, as a residual block's input feeds both the block's opening ReLU and the
 * skip connection's Add, that other vertex may read the activated values instead. Seen here: on the PixelCNN,
 * {@code ComputationGraph.score(data, false)} and {@code feedForward(input, false)} computed x + f(relu(x)) as
 * relu(x) + f(relu(x)) and disagreed with training-mode passes, while {@code output(...)} happened to agree. This
 * layer copies its input at inference too, as DL4J does in training; the copy costs one activation-sized array.
 * Configuration, JSON (under this class name) and backprop are ActivationLayer's.
 */
public class CopyingActivationLayer extends ActivationLayer {

    private static final long serialVersionUID = 1L;

    /** For Jackson. */
    public CopyingActivationLayer() {
    }

    /** A layer applying {@code activation}. */
    public CopyingActivationLayer(Activation activation) {
        super(activation);
    }

    /** A layer applying {@code activation}. */
    public CopyingActivationLayer(IActivation activation) {
        super(activation);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners, int layerIndex, INDArray paramsView, boolean initializeParams,
            DataType networkDataType) {
        return LayerSetup.attach(new Impl(conf, networkDataType), conf, listeners, layerIndex, paramsView,
                initializeParams, initializer());
    }

    @Override
    public CopyingActivationLayer clone() {
        return (CopyingActivationLayer) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CopyingActivationLayer && super.equals(o);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof CopyingActivationLayer;
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 31 + 1;
    }

    /** DL4J's ActivationLayer implementation, activating a copy of its input in inference as in training. */
    static final class Impl extends org.deeplearning4j.nn.layers.ActivationLayer {

        Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
            assertInputSet(false);
            applyDropOutIfNecessary(training, mgr);
            INDArray in = mgr.dup(ArrayType.ACTIVATIONS, input, input.ordering());
            return layerConf().getActivationFn().getActivation(in, training);
        }
    }
}
