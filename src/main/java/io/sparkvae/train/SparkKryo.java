package io.sparkvae.train;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import io.sparkvae.io.kryo.NdArraySerializer;
import java.util.List;
import org.apache.spark.serializer.KryoRegistrator;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Spark's serialiser for this application: Kryo, so that the parameter-averaging messages (the broadcast of
 * parameters and Adam state, each worker's result, their partial sums) carry their arrays in bulk through
 * {@link NdArraySerializer} instead of ND4J's element-by-element Java serialisation.
 *
 * <p>Every other class keeps Java serialisation, exactly as under Spark's default serialiser: the registrator
 * makes Java serialisation Kryo's default, so records, lambdas and DL4J's configuration objects behave as they
 * always did; only ND4J arrays, the three dl4j-spark message classes and {@link CompactMinibatch} (whose fields
 * are then written by Kryo) change. dl4j-spark reads the whole cached epoch of minibatches in every averaging
 * round, so how fast a cached minibatch deserialises matters too.
 */
public final class SparkKryo implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    kryo.setDefaultSerializer(JavaSerializer.class);
    kryo.addDefaultSerializer(INDArray.class, new NdArraySerializer());
    for (Class<?> message : List.of(NetBroadcastTuple.class, ParameterAveragingTrainingResult.class,
        ParameterAveragingAggregationTuple.class, CompactMinibatch.class)) {
      kryo.register(message, new FieldSerializer<>(kryo, message));
    }
  }
}
