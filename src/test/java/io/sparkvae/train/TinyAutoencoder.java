package io.sparkvae.train;

import io.sparkvae.cli.SparkSessions;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The averaging tests' model and data: a 6-5-6 autoencoder trained with Adam, on local[2]. */
final class TinyAutoencoder {
  private TinyAutoencoder() {}

  /** A local[2] session with the project's Spark defaults and no UI. */
  static SparkSession session(String appName) {
    return SparkSession.builder().config(SparkSessions.defaults(
        new SparkConf().setMaster("local[2]").setAppName(appName).set("spark.ui.enabled", "false"))).getOrCreate();
  }

  /** A fresh network, the same weights every time (seed 3), Adam at 0.01. */
  static ComputationGraph graph() {
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
        .updater(new Adam(0.01)).graphBuilder().addInputs("in")
        .addLayer("hidden", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "in")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(6)
            .activation(Activation.IDENTITY).build(), "hidden")
        .setOutputs("out").build();
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    return graph;
  }

  /** Minibatch {@code seed}: 4 rows of 6 Gaussian features, the target the same rows. */
  static MultiDataSet minibatch(long seed) {
    Random r = new Random(seed);
    float[] values = new float[24];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) r.nextGaussian();
    }
    INDArray x = Nd4j.create(values, new long[] {4, 6});
    return new org.nd4j.linalg.dataset.MultiDataSet(x, x.dup());
  }
}
