package io.sparkvae.model;

import io.sparkvae.io.kryo.NdArraySerializer;
import java.io.Serializable;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A graph for inference only, as its configuration JSON and its flattened parameters' raw bytes: what a job
 * broadcasts to rebuild the same graph in every task.
 *
 * <p>Why not the model zip: restoring a ModelSerializer zip reads the parameters one float at a time (ND4J's
 * {@code Nd4j.read}), unpacks the zip and builds the whole training graph before the part a task needs is cut
 * from it, about 170 ms per task for the CIFAR-shaped VAE. This restores the needed graph directly.
 */
public record GraphBytes(String configuration, String dataType, byte[] parameters) implements Serializable {

  public static GraphBytes of(ComputationGraph graph) {
    INDArray params = graph.params();
    return new GraphBytes(graph.getConfiguration().toJson(), params.dataType().name(),
        NdArraySerializer.rawBytes(params));
  }

  /** A new graph with these parameters (no updater state). */
  public ComputationGraph restore() {
    ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(configuration);
    DataType type = DataType.valueOf(dataType);
    INDArray params = NdArraySerializer.fromRawBytes(type, new long[] {1, parameters.length / type.width()},
        parameters);
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init(params, false);
    return graph;
  }
}
