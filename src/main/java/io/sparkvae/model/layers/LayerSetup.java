package io.sparkvae.model.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What every custom layer configuration's {@code instantiate} does with the layer it built, as DL4J's own do. */
public final class LayerSetup {

    private LayerSetup() {
    }

    /**
     * Gives {@code layer} its listeners, index, configuration and parameters: views of {@code paramsView} laid out
     * (and, for a new network, initialised) by {@code initializer}; the views are in {@code layer.paramTable()}.
     */
    public static <L extends Layer> L attach(L layer, NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners, int layerIndex, INDArray paramsView, boolean initializeParams,
            ParamInitializer initializer) {
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(initializer.init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
