package io.sparkvae.model;

import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Helpers shared by the models' graph factories. */
public final class Graphs {

    private Graphs() {
    }

    /**
     * Initialises a graph cut from a trained one (an encoder or a decoder) and copies every parameter from the
     * trained graph's layer of the same name; fails when a layer or a shape does not match.
     */
    public static ComputationGraph initAndCopy(ComputationGraphConfiguration conf, ComputationGraph trained) {
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        for (Layer layer : graph.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            Map<String, INDArray> from = trained.getLayer(name).paramTable();
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                INDArray src = from.get(p.getKey());
                if (src == null || !Arrays.equals(src.shape(), p.getValue().shape())) {
                    throw new IllegalArgumentException("Trained graph does not match spec at layer " + name
                            + " param " + p.getKey());
                }
                layer.setParam(p.getKey(), src.dup());
            }
        }
        return graph;
    }
}
