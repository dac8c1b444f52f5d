package io.sparkvae.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.io.Schemas;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster jar on a real multi-process Spark standalone cluster (a master and two workers, each a JVM on
 * 127.0.0.1): prepare, then train on 2 executors with parameter averaging, then sample; every process stopped
 * afterwards. Runs after {@code package} (failsafe); alone with {@code mvn -B verify -Dgroups=cluster}.
 */
@Tag("cluster")
class StandaloneClusterIT {
  private static final Path TARGET = Path.of("target").toAbsolutePath();
  private static final Path JAR = TARGET.resolve("spark-vae-cluster.jar");
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);
  private static final String OFFHEAP = "-Dorg.bytedeco.javacpp.maxbytes=2G "
      + "-Dorg.bytedeco.javacpp.maxphysicalbytes=5G -Djava.awt.headless=true";

  private static List<String> app(Path out, String command, String... extra) {
    List<String> a = new ArrayList<>(List.of(
        "--class", "io.sparkvae.cli.Main",
        "--conf", "spark.executor.memory=1g",
        "--conf", "spark.executor.cores=1",
        "--conf", "spark.cores.max=2",
        "--conf", "spark.executor.extraJavaOptions=" + OFFHEAP,
        "--conf", "spark.executorEnv.OMP_NUM_THREADS=1",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.ui.enabled=false",
        JAR.toString(),
        command,
        "--set", "output-root=" + out, "--set", "run-id=cluster",
        "--set", "data.synthetic.count=600", "--set", "data.synthetic.image-size=16",
        "--set", "data.synthetic.partitions=2",
        "--set", "model.encoder-channels=[8,16]", "--set", "model.latent-dim=8",
        "--set", "model.kl-warmup-epochs=0",
        "--set", "train.epochs=2", "--set", "train.workers=2", "--set", "train.batch-size-per-worker=16",
        "--set", "train.averaging-frequency=3",
        "--set", "sample.count=40", "--set", "sample.partitions=2", "--set", "sample.batch-size=8"));
    a.addAll(List.of(extra));
    return a;
  }

  private static void writeLogConfig(Path sparkHome) throws IOException {
    // Spark's INFO lines say which executors ran which tasks; DL4J and Hadoop stay at WARN
    Files.createDirectories(sparkHome.resolve("conf"));
    Files.writeString(sparkHome.resolve("conf/log4j2.properties"), String.join("\n",
        "rootLogger.level = info",
        "rootLogger.appenderRef.stdout.ref = console",
        "appender.console.type = Console",
        "appender.console.name = console",
        "appender.console.target = SYSTEM_ERR",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = %d{HH:mm:ss} %-5p %c{1}: %m%n",
        "logger.dl4j.name = org.deeplearning4j", "logger.dl4j.level = warn",
        "logger.hadoop.name = org.apache.hadoop", "logger.hadoop.level = warn",
        "logger.parquet.name = org.apache.parquet", "logger.parquet.level = warn", ""));
  }

  private static void deleteTree(Path p) throws IOException {
    if (Files.exists(p)) {
      try (Stream<Path> s = Files.walk(p)) {
        for (Path q : s.sorted((a, b) -> b.compareTo(a)).toList()) {
          Files.delete(q);
        }
      }
    }
  }

  private static String appId(Path driverLog) throws IOException {
    Matcher m = Pattern.compile("app ID (app-[0-9]+-[0-9]+)").matcher(Files.readString(driverLog));
    assertTrue(m.find(), "no app ID in " + driverLog);
    return m.group(1);
  }

  private static void submitOk(StandaloneCluster cluster, String name, List<String> args) throws Exception {
    int code = cluster.submit(name, List.of("-Xmx1500m", "-Djava.awt.headless=true",
        "-Dorg.bytedeco.javacpp.maxbytes=2G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=5G"), args, STEP_TIMEOUT);
    assertEquals(0, code, name + " failed; last lines of its log:\n"
        + StandaloneCluster.tail(cluster.logs().resolve(name + ".log"), 60));
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void trainsOnTwoExecutorsAndSamplesThroughSparkSubmit() throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the cluster test runs after `mvn package`");
    Path dir = TARGET.resolve("cluster-it");
    deleteTree(dir);
    Path sparkHome = TARGET.resolve("spark-home");
    writeLogConfig(sparkHome);
    Path out = dir.resolve("out");
    List<Long> started;
    try (StandaloneCluster cluster = new StandaloneCluster(sparkHome, dir)) {
      cluster.start(2, 1, "2g", Duration.ofMinutes(2));

      submitOk(cluster, "prepare", app(out, "prepare"));
      assertTrue(Files.isRegularFile(out.resolve("prepared/_dataset.json")));

      submitOk(cluster, "train", app(out, "train"));
      Path run = out.resolve("runs/cluster");
      List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
      assertEquals(2, metrics.size(), "one metrics line per epoch: " + metrics);
      assertTrue(Files.size(run.resolve("model.zip")) > 0);
      // both workers ran an executor of the training application, and each executor ran tasks
      String trainApp = appId(cluster.logs().resolve("train.log"));
      for (int w = 0; w < 2; w++) {
        Path appDir = cluster.workerDir(w).resolve(trainApp);
        assertTrue(Files.isDirectory(appDir), "worker " + w + " ran no executor of " + trainApp);
        try (Stream<Path> s = Files.list(appDir)) {
          List<Path> executors = s.toList();
          assertEquals(1, executors.size(), "one executor per worker: " + executors);
          String log = Files.readString(executors.get(0).resolve("stderr"));
          assertTrue(log.contains("Running task"), "executor on worker " + w + " ran no task:\n"
              + StandaloneCluster.tail(executors.get(0).resolve("stderr"), 30));
        }
      }

      submitOk(cluster, "sample", app(out, "sample"));
      assertNotNull(ImageIO.read(run.resolve("samples.png").toFile()));
      checkSamples(run.resolve("samples"), 40, 16);

      started = cluster.livePids();
      assertTrue(started.size() >= 3, "master and two workers alive until close: " + started);
    }
    // close() stopped the master, the workers and every executor they launched
    for (long pid : started) {
      ProcessHandle.of(pid).ifPresent(h -> {
        try {
          h.onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
          // asserted below
        }
        assertFalse(h.isAlive(), "process " + pid + " still alive after close()");
      });
    }
  }

  private static void checkSamples(Path samples, int count, int size) throws Exception {
    SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false")
        .getOrCreate();
    try {
      var df = spark.read().parquet(samples.toString());
      assertEquals(Schemas.SAMPLES.fieldNames().length, df.schema().fields().length, df.schema().toString());
      for (var f : Schemas.SAMPLES.fields()) {
        assertEquals(f.dataType().asNullable(), df.schema().apply(f.name()).dataType().asNullable(), f.name());
      }
      List<Row> rows = df.orderBy("sample_id").collectAsList();
      assertEquals(count, rows.size());
      for (int i = 0; i < count; i++) {
        Row r = rows.get(i);
        assertEquals((long) i, r.getLong(r.fieldIndex("sample_id")));
        var img = ImageIO.read(new ByteArrayInputStream((byte[]) r.get(r.fieldIndex("image_png"))));
        assertNotNull(img, "sample " + i + " decodes");
        assertEquals(size, img.getWidth());
      }
    } finally {
      spark.stop();
    }
  }
}
