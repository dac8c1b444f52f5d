package io.sparkvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.io.NioLocalFileSystem;
import io.sparkvae.train.SparkKryo;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.Test;

/** The defaults fill only what spark-submit left unset, and never drop a user's choice. */
class SparkSessionsTest {
  private static final String KRYO = KryoSerializer.class.getName();
  private static final String OURS = SparkKryo.class.getName();

  @Test
  void anEmptyConfGetsKryoWithOurRegistratorAndDirectResults() {
    SparkConf conf = SparkSessions.defaults(new SparkConf(false));
    assertEquals(KRYO, conf.get("spark.serializer"));
    assertEquals(OURS, conf.get("spark.kryo.registrator"));
    assertEquals("1g", conf.get("spark.kryoserializer.buffer.max"));
    assertEquals("128m", conf.get("spark.task.maxDirectResultSize"));
    assertEquals("5s", conf.get("spark.scheduler.barrier.maxConcurrentTasksCheck.interval"));
    assertEquals("6", conf.get("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures"));
    assertEquals(NioLocalFileSystem.class.getName(), conf.get("spark.hadoop.fs.file.impl"));
  }

  @Test
  void anExplicitJavaSerializerIsKept() {
    SparkConf conf = SparkSessions.defaults(
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
        .set("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "40")
        .set("spark.hadoop.fs.file.impl", "org.apache.hadoop.fs.LocalFileSystem");
    SparkSessions.defaults(SparkSessions.defaults(conf));
    assertEquals("40", conf.get("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures"));
    assertEquals("com.example.TheirRegistrator," + OURS, conf.get("spark.kryo.registrator"));
    assertEquals("256m", conf.get("spark.kryoserializer.buffer.max"));
    assertEquals("4m", conf.get("spark.task.maxDirectResultSize"));
    assertEquals("org.apache.hadoop.fs.LocalFileSystem", conf.get("spark.hadoop.fs.file.impl"));
  }

  @Test
  void theBarrierCoordinatorIsQuietUnderAnInfoRootButKeepsALevelItsOwnConfigurationNames() {
    String name = SparkSessions.BARRIER_COORDINATOR;
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Level root = context.getConfiguration().getRootLogger().getLevel();
    try {
      Configurator.setRootLevel(Level.INFO); // Spark's own log4j2 template
      assertTrue(LogManager.getLogger(name).isInfoEnabled());
      assertTrue(SparkSessions.quietBarrierCoordinator());
      assertFalse(LogManager.getLogger(name).isInfoEnabled(), "raised to WARN");
      assertTrue(LogManager.getLogger(name).isWarnEnabled());
      assertTrue(LogManager.getLogger("org.apache.spark.scheduler.DAGScheduler").isInfoEnabled(), "only it");

      removeLogger(context, name);
      Configurator.setLevel(name, Level.DEBUG); // a configuration naming it
      assertFalse(SparkSessions.quietBarrierCoordinator());
      assertTrue(LogManager.getLogger(name).isDebugEnabled(), "a named level is kept");

      removeLogger(context, name);
      Configurator.setRootLevel(Level.WARN); // the tests' and local runs' configuration
      assertFalse(SparkSessions.quietBarrierCoordinator(), "already quiet");
    } finally {
      removeLogger(context, name);
      Configurator.setRootLevel(root);
    }
  }

  private static void removeLogger(LoggerContext context, String name) {
    context.getConfiguration().removeLogger(name);
    context.updateLoggers();
  }
}
