package io.sparkvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sparkvae.train.SparkKryo;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.junit.jupiter.api.Test;

/** The transport defaults fill only what spark-submit left unset, and never drop a user's choice. */
class SparkSessionsTest {
  private static final String KRYO = KryoSerializer.class.getName();
  private static final String OURS = SparkKryo.class.getName();

  @Test
  void anEmptyConfGetsKryoWithOurRegistratorAndDirectResults() {
    SparkConf conf = SparkSessions.transportDefaults(new SparkConf(false));
    assertEquals(KRYO, conf.get("spark.serializer"));
    assertEquals(OURS, conf.get("spark.kryo.registrator"));
    assertEquals("1g", conf.get("spark.kryoserializer.buffer.max"));
    assertEquals("128m", conf.get("spark.task.maxDirectResultSize"));
    assertEquals("5s", conf.get("spark.scheduler.barrier.maxConcurrentTasksCheck.interval"));
    assertEquals("6", conf.get("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures"));
  }

  @Test
  void anExplicitJavaSerializerIsKept() {
    SparkConf conf = SparkSessions.transportDefaults(
        new SparkConf(false).set("spark.serializer", JavaSerializer.class.getName()));
    assertEquals(JavaSerializer.class.getName(), conf.get("spark.serializer"));
    assertFalse(conf.contains("spark.kryo.registrator"));
    assertFalse(conf.contains("spark.kryoserializer.buffer.max"));
  }

  @Test
  void aUsersRegistratorAndLimitsAreKeptAndOursAddedOnce() {
    SparkConf conf = new SparkConf(false).set("spark.serializer", KRYO)
        .set("spark.kryo.registrator", "com.example.TheirRegistrator")
        .set("spark.kryoserializer.buffer.max", "256m")
        .set("spark.task.maxDirectResultSize", "4m")
        .set("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "40");
    SparkSessions.transportDefaults(SparkSessions.transportDefaults(conf));
    assertEquals("40", conf.get("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures"));
    assertEquals("com.example.TheirRegistrator," + OURS, conf.get("spark.kryo.registrator"));
    assertEquals("256m", conf.get("spark.kryoserializer.buffer.max"));
    assertEquals("4m", conf.get("spark.task.maxDirectResultSize"));
  }
}
