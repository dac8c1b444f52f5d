package io.sparkvae.cli;

import io.sparkvae.config.SparkSettings;
import io.sparkvae.io.NioLocalFileSystem;
import io.sparkvae.train.SparkKryo;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession, using the configured master only when spark-submit has not set one, and this
 * application's defaults (below) wherever spark-submit has not set the key.
 */
public final class SparkSessions {
  static final String SERIALIZER = "spark.serializer";
  static final String REGISTRATOR = "spark.kryo.registrator";
  static final String BUFFER_MAX = "spark.kryoserializer.buffer.max";
  static final String MAX_DIRECT_RESULT = "spark.task.maxDirectResultSize";
  static final String BARRIER_CHECK_INTERVAL = "spark.scheduler.barrier.maxConcurrentTasksCheck.interval";
  static final String BARRIER_CHECK_FAILURES = "spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures";
  static final String BARRIER_COORDINATOR = "org.apache.spark.BarrierCoordinator";
  static final String LOCAL_FILE_SYSTEM = "spark.hadoop.fs.file.impl";

  private SparkSessions() {}

  public static SparkSession create(SparkSettings settings) {
    SparkConf conf = new SparkConf(); // picks up spark.* system properties set by spark-submit
    if (!conf.contains("spark.master")) {
      conf.setMaster(settings.master());
    }
    if (!conf.contains("spark.app.name")) {
      conf.setAppName(settings.appName());
    }
    quietBarrierCoordinator();
    return SparkSession.builder().config(defaults(conf)).getOrCreate();
  }

  /**
   * Raises the driver's {@code org.apache.spark.BarrierCoordinator} logger to WARN when the log configuration
   * leaves it at INFO or below through a parent (Spark's own template sets the root to INFO) and does not name it:
   * parameter averaging syncs its barrier stage's workers twice a round, and at INFO the coordinator logs W + 1
   * lines per sync (each worker's arrival, then the release), hundreds per epoch. A configuration that names the
   * logger keeps its level. Returns whether it raised the level.
   */
  static boolean quietBarrierCoordinator() {
    if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
      return false; // another log4j-api implementation: leave it alone
    }
    var logger = context.getConfiguration().getLoggerConfig(BARRIER_COORDINATOR);
    if (logger.getName().equals(BARRIER_COORDINATOR) || logger.getLevel().intLevel() <= Level.WARN.intLevel()) {
      return false;
    }
    Configurator.setLevel(BARRIER_COORDINATOR, Level.WARN);
    return true;
  }

  /**
   * Sets, where {@code conf} leaves them unset, what parameter averaging needs to move its arrays fast, and a
   * local file system that does not fork:
   * <ul>
   *   <li>Kryo with {@link SparkKryo} as the serialiser. An explicit {@code spark.serializer} is kept; with Kryo,
   *       {@link SparkKryo} is added to the user's registrators.
   *   <li>A Kryo buffer large enough for the largest message, one worker's parameters and Adam state (about
   *       40 MB for the CelebA-shaped VAE).
   *   <li>Task results up to 128 MB sent straight to the driver (Spark caps this at {@code spark.rpc.message.maxSize}),
   *       instead of through the block manager from 1 MB: every averaging round returns one such result per worker.
   *   <li>A barrier stage submitted when fewer task slots are left than it has tasks (an executor lost between
   *       {@code BarrierAveraging}'s slot count and the submission) fails after 6 checks 5 s apart, not Spark's 40
   *       checks 15 s apart (10 minutes); {@code BarrierAveraging} then runs the epoch again with the slots there are.
   *   <li>{@link NioLocalFileSystem} for {@code file:} paths: Hadoop's own, with permissions set without forking
   *       {@code chmod} (a dozen processes per Parquet output of two files).
   * </ul>
   */
  public static SparkConf defaults(SparkConf conf) {
    conf.setIfMissing(LOCAL_FILE_SYSTEM, NioLocalFileSystem.class.getName());
    conf.setIfMissing(BARRIER_CHECK_INTERVAL, "5s");
    conf.setIfMissing(BARRIER_CHECK_FAILURES, "6");
    if (!conf.contains(MAX_DIRECT_RESULT)) {
      conf.set(MAX_DIRECT_RESULT, "128m");
    }
    if (!conf.contains(SERIALIZER)) {
      conf.set(SERIALIZER, KryoSerializer.class.getName());
    }
    if (!KryoSerializer.class.getName().equals(conf.get(SERIALIZER))) {
      return conf;
    }
    List<String> registrators = new ArrayList<>();
    for (String r : conf.get(REGISTRATOR, "").split(",")) {
      if (!r.isBlank()) {
        registrators.add(r.trim());
      }
    }
    if (!registrators.contains(SparkKryo.class.getName())) {
      registrators.add(SparkKryo.class.getName());
    }
    conf.set(REGISTRATOR, String.join(",", registrators));
    if (!conf.contains(BUFFER_MAX)) {
      conf.set(BUFFER_MAX, "1g");
    }
    return conf;
  }
}
