package io.sparkvae.model.layers;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The pre-activation z of a training forward pass, kept for the backward pass so that the native layers need not
 * run their convolution a second time (DL4J's stock layers recompute it in backprop). z lives in the ACTIVATIONS
 * workspace, like the layer's input, which DL4J keeps open from a training forward pass through its backward pass;
 * it is used only when the backward pass sees the very input array it was computed from and its memory is still
 * valid, else the caller recomputes.
 */
final class PreActivationCache {

    private INDArray input;
    private INDArray z;

    /**
     * The activation of z. In training z is kept (with {@code input}) and the activation written to a copy, since
     * DL4J's activations work in place.
     */
    INDArray activate(INDArray z, IActivation activation, boolean training, INDArray input, LayerWorkspaceMgr mgr) {
        if (!training) {
            clear();
            return activation.getActivation(z, false);
        }
        this.input = input;
        this.z = z;
        return activation.getActivation(mgr.dup(ArrayType.ACTIVATIONS, z), true);
    }

    /** The kept z if it was computed from {@code currentInput} and is still valid, else null; forgets it. */
    INDArray take(INDArray currentInput) {
        INDArray kept = input == currentInput && z != null && !z.wasClosed() ? z : null;
        clear();
        return kept;
    }

    void clear() {
        input = null;
        z = null;
    }
}
