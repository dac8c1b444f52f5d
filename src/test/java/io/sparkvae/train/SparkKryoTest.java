package io.sparkvae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.esotericsoftware.kryo.serializers.FieldSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import io.sparkvae.cli.SparkSessions;
import io.sparkvae.io.kryo.NdArraySerializer;
import io.sparkvae.model.vae.Likelihood;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Under the application's Spark serialiser (Kryo with SparkKryo), the parameter-averaging messages keep their
 * arrays and configuration, and everything else (records, lambdas, the compact minibatches) still round-trips.
 */
class SparkKryoTest {
  private static final VaeSpec SPEC =
      new VaeSpec(8, 8, 3, new int[] {4, 8}, 3, Likelihood.GAUSSIAN, 0.1, 1.0, -6, 6, 1e-2, 7L);
  private static final ClassTag<Object> ANY = ClassTag$.MODULE$.apply(Object.class);

  private static final SerializerInstance SERIALIZER =
      new KryoSerializer(SparkSessions.defaults(new SparkConf(false))).newInstance();

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) {
    ByteBuffer bytes = SERIALIZER.serialize(value, ANY);
    return (T) SERIALIZER.deserialize(bytes, ANY);
  }

  @Test
  void ndArraysUseTheBulkSerialiserAndOtherClassesJavaSerialisation() {
    com.esotericsoftware.kryo.Kryo kryo =
        new KryoSerializer(SparkSessions.defaults(new SparkConf(false))).newKryo();
    assertInstanceOf(NdArraySerializer.class, kryo.getSerializer(Nd4j.rand(DataType.FLOAT, 2).getClass()));
    assertInstanceOf(FieldSerializer.class, kryo.getSerializer(NetBroadcastTuple.class));
    assertInstanceOf(JavaSerializer.class, kryo.getSerializer(VaeSpec.class));
  }

  @Test
  void theBroadcastKeepsConfigurationParametersAndAdamState() {
    ComputationGraph graph = VaeGraphs.newTrainingGraph(SPEC);
    graph.fit(VaeGraphs.toMultiDataSet(Nd4j.rand(DataType.FLOAT, 4, 3, 8, 8), SPEC)); // non-zero Adam state
    NetBroadcastTuple sent = new NetBroadcastTuple(graph.getConfiguration(), graph.params(),
        graph.getUpdater().getStateViewArray());
    NetBroadcastTuple back = roundTrip(sent);
    assertEquals(graph.getConfiguration().toJson(), back.getGraphConfiguration().toJson());
    assertEquals(graph.params(), back.getParameters());
    assertEquals(graph.getUpdater().getStateViewArray(), back.getUpdaterState());
  }

  @Test
  void workerResultsAndTheirPartialSumsKeepTheirArrays() {
    ComputationGraph graph = VaeGraphs.newTrainingGraph(SPEC);
    ParameterAveragingTrainingResult result = new ParameterAveragingTrainingResult(graph.params(),
        graph.params().mul(2), 1.25, null, null, null);
    ParameterAveragingTrainingResult back = roundTrip(result);
    assertEquals(graph.params(), back.getParameters());
    assertEquals(graph.params().mul(2), back.getUpdaterState());
    assertEquals(1.25, back.getScore());
    ParameterAveragingAggregationTuple sum = new ParameterAveragingAggregationTuple(graph.params(), null, 2.5, 2,
        null, null, null, null);
    ParameterAveragingAggregationTuple sumBack = roundTrip(sum);
    assertEquals(graph.params(), sumBack.getParametersSum());
    assertEquals(null, sumBack.getUpdaterStateSum());
    assertEquals(2, sumBack.getAggregationsCount());
  }

  @Test
  void recordsLambdasAndCompactMinibatchesStillRoundTrip() throws Exception {
    assertEquals(SPEC.latentDim(), roundTrip(SPEC).latentDim());
    List<byte[]> images = new ArrayList<>();
    Random r = new Random(5);
    for (int i = 0; i < 10; i++) {
      byte[] b = new byte[8 * 8 * 3];
      r.nextBytes(b);
      images.add(b);
    }
    MultiDataSet batch = new MinibatchFunction(SPEC, 10, 3L).call(0, images.iterator()).next();
    MultiDataSet back = roundTrip(batch);
    assertInstanceOf(CompactMinibatch.class, back);
    assertEquals(batch.getFeatures(0), back.getFeatures(0));
  }
}
