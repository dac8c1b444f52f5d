package io.sparkvae.model.layers;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A fully connected layer whose products are libnd4j's {@code matmul} op (oneDNN with the {@code -onednn} natives)
 * and which keeps its training pre-activation for the backward pass ({@link NativeDenseLayer}). DL4J's DenseLayer
 * multiplies through OpenBLAS, which runs at one thread here (see the README's "Performance"), and computes the
 * forward product a second time in backprop. Configuration, parameters and their layout ([nIn, nOut] weights in 'f'
 * order, [1, nOut] bias), JSON and serialisation are those of DL4J's {@link DenseLayer}, so a model can switch
 * between the two on the same weights. Layer normalisation is not implemented.
 */
public class NativeDense extends DenseLayer {

    private static final long serialVersionUID = 1L;

    /** For Jackson. */
    public NativeDense() {
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("NativeDense", getLayerName(), layerIndex, getNIn(), getNOut());
        checkSupported(this);
        return LayerSetup.attach(new NativeDenseLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView,
                initializeParams, initializer());
    }

    @Override
    public NativeDense clone() {
        return (NativeDense) super.clone();
    }

    static void checkSupported(DenseLayer conf) {
        if (conf.hasLayerNorm()) {
            throw new IllegalArgumentException("NativeDense '" + conf.getLayerName()
                    + "': layer normalisation is not supported; use DL4J's DenseLayer");
        }
    }

    /**
     * {@code stock}'s configuration as a NativeDense. DL4J's DenseLayer can only be built by its own builder (its
     * constructor from one is private), so every field it and its superclasses hold is copied.
     */
    static NativeDense of(DenseLayer stock) {
        checkSupported(stock);
        NativeDense copy = new NativeDense();
        for (Class<?> c = DenseLayer.class; c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                try {
                    f.set(copy, f.get(stock));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot copy DenseLayer field " + f, e);
                }
            }
        }
        return copy;
    }

    /** The builder of DL4J's DenseLayer, building a {@link NativeDense}. */
    public static class Builder extends DenseLayer.Builder {

        @Override
        public NativeDense build() {
            return of(super.build());
        }
    }
}
