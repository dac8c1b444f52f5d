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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster jar on a real multi-process Spark standalone cluster (a master and two workers, each a JVM on
 * 127.0.0.1): prepare (through {@code SparkSubmit}), then train on 2 executors with parameter averaging and sample
 * (through {@code submit/standalone.sh} and {@code bin/spark-submit}); then faults: the driver killed mid-run and
 * rerun (it resumes from its checkpoint), a worker killed mid-epoch (the job finishes). Every process is stopped
 * afterwards. Runs after {@code package} (failsafe); alone with {@code mvn -B verify -Dgroups=cluster}.
 */
@Tag("cluster")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
  private static final Path TARGET = Path.of("target").toAbsolutePath();
  private static final Path JAR = TARGET.resolve("spark-vae-cluster.jar");
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);
  private static final String OFFHEAP = "-Dorg.bytedeco.javacpp.maxbytes=2G "
      + "-Dorg.bytedeco.javacpp.maxphysicalbytes=5G -Djava.awt.headless=true";

  /** spark-submit's arguments for SparkSubmit run directly: 2 executors of 1 core, ND4J's memory bounded. */
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
        JAR.toString()));
    a.addAll(job(out, command, extra));
    return a;
  }

  /** The job's own arguments: tiny synthetic data, a tiny VAE, 2 workers. */
  private static List<String> job(Path out, String command, String... extra) {
    List<String> a = new ArrayList<>(List.of(
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

  /** {@code submit/standalone.sh}, the user's wrapper, with the job's arguments. */
  private static List<String> wrapper(List<String> jobArgs) {
    List<String> command = new ArrayList<>(List.of("bash", Path.of("submit/standalone.sh").toAbsolutePath()
        .toString()));
    command.addAll(jobArgs);
    return command;
  }

  /** The wrapper's settings: sized like {@link #app}. */
  private static final Map<String, String> WRAPPER_ENV = Map.of(
        "SPARK_VAE_JAR", JAR.toString(),
        "SPARK_VAE_NUM_EXECUTORS", "2", "SPARK_VAE_EXECUTOR_CORES", "1",
        "SPARK_VAE_EXECUTOR_MEMORY", "1g", "SPARK_VAE_EXECUTOR_OFFHEAP", "2g",
        "SPARK_VAE_DRIVER_MEMORY", "1536m", "SPARK_VAE_DRIVER_OFFHEAP", "2g",
        "SPARK_VAE_DRIVER_JAVA_OPTS", "-Djava.awt.headless=true",
        "SPARK_VAE_EXECUTOR_JAVA_OPTS", "-Djava.awt.headless=true",
        "SPARK_VAE_CONF", "spark.driver.host=127.0.0.1\nspark.ui.enabled=false");

  /** Runs the wrapper to the end; it must succeed. */
  private void wrapperOk(String name, List<String> jobArgs) throws Exception {
    int code = cluster.runScript(name, wrapper(jobArgs), WRAPPER_ENV, STEP_TIMEOUT);
    assertEquals(0, code, name + " failed; last lines of its log:\n"
        + StandaloneCluster.tail(cluster.logs().resolve(name + ".log"), 60));
  }

  private static void submitOk(StandaloneCluster cluster, String name, List<String> args) throws Exception {
    int code = cluster.submit(name, List.of("-Xmx1500m", "-Djava.awt.headless=true",
        "-Dorg.bytedeco.javacpp.maxbytes=2G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=5G"), args, STEP_TIMEOUT);
    assertEquals(0, code, name + " failed; last lines of its log:\n"
        + StandaloneCluster.tail(cluster.logs().resolve(name + ".log"), 60));
  }

  private StandaloneCluster cluster;
  private Path out;

  @BeforeAll
  void startClusterAndPrepare() throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the cluster test runs after `mvn package`");
    Path dir = TARGET.resolve("cluster-it");
    deleteTree(dir);
    Path sparkHome = TARGET.resolve("spark-home");
    writeLogConfig(sparkHome);
    out = dir.resolve("out");
    cluster = new StandaloneCluster(sparkHome, dir);
    cluster.start(2, 1, "2g", Duration.ofMinutes(2));
    submitOk(cluster, "prepare", app(out, "prepare"));
    assertTrue(Files.isRegularFile(out.resolve("prepared/_dataset.json")));
  }

  @AfterAll
  void stopEverything() {
    if (cluster == null) {
      return;
    }
    List<Long> started = cluster.livePids();
    cluster.close();
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

  @Test
  @Order(1)
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void trainsOnTwoExecutorsAndSamplesThroughTheWrapper() throws Exception {
    assertTrue(cluster.livePids().size() >= 3, "master and two workers alive: " + cluster.livePids());
    // train and sample go through the user's wrapper and bin/spark-submit; prepare through SparkSubmit directly
    wrapperOk("train", job(out, "train"));
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

    wrapperOk("sample", job(out, "sample"));
    assertNotNull(ImageIO.read(run.resolve("samples.png").toFile()));
    checkSamples(run.resolve("samples"), 40, 16);
  }

  /** Epoch numbers of a run's metrics.jsonl, in order. */
  private List<Integer> epochs(String runId) throws IOException {
    List<Integer> epochs = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("runs").resolve(runId).resolve("metrics.jsonl"))) {
      Matcher m = Pattern.compile("\"epoch\":(\\d+),").matcher(line);
      assertTrue(m.find(), line);
      epochs.add(Integer.parseInt(m.group(1)));
    }
    return epochs;
  }

  private double lastValLoss(String runId) throws IOException {
    List<String> lines = Files.readAllLines(out.resolve("runs").resolve(runId).resolve("metrics.jsonl"));
    Matcher m = Pattern.compile("\"val_neg_elbo_nats\":([-0-9.eE+]+)").matcher(lines.get(lines.size() - 1));
    assertTrue(m.find(), lines.toString());
    return Double.parseDouble(m.group(1));
  }

  private static void awaitFile(Path file, Process p, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(file)) {
      assertTrue(p.isAlive(), "the job ended before " + file + " appeared");
      assertTrue(System.nanoTime() < deadline, file + " did not appear within " + timeout);
      Thread.sleep(100);
    }
  }

  @Test
  @Order(2)
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aKilledDriverResumesFromItsCheckpoint() throws Exception {
    String[] fourEpochs = {"--set", "train.epochs=4"};
    wrapperOk("train-uninterrupted", job(out, "train", concat(fourEpochs, "--set", "run-id=uninterrupted")));

    Process driver = cluster.startScript("train-killed", wrapper(job(out, "train",
        concat(fourEpochs, "--set", "run-id=killed"))), WRAPPER_ENV);
    awaitFile(out.resolve("runs/killed/checkpoints/epoch-000002/state.json"), driver, STEP_TIMEOUT);
    StandaloneCluster.kill(driver); // kill -9 of the driver JVM in the middle of the run
    List<Integer> before = epochs("killed");
    assertTrue(before.size() >= 2 && before.size() < 4, "killed after epoch 2 and before the end: " + before);

    wrapperOk("train-resumed", job(out, "train", concat(fourEpochs, "--set", "run-id=killed")));
    String log = Files.readString(cluster.logs().resolve("train-resumed.log"));
    Matcher resumed = Pattern.compile("resuming from checkpoint \\S+/epoch-(\\d+): epoch (\\d+)/4 done")
        .matcher(log);
    assertTrue(resumed.find(), "the log says where it resumed:\n" + StandaloneCluster.tail(
        cluster.logs().resolve("train-resumed.log"), 40));
    assertTrue(Integer.parseInt(resumed.group(2)) >= 2, resumed.group());
    assertEquals(List.of(1, 2, 3, 4), epochs("killed"), "every epoch exactly once");
    double a = lastValLoss("killed");
    double b = lastValLoss("uninterrupted");
    assertTrue(Math.abs(a - b) <= 0.1 * Math.abs(b), "final val -ELBO " + a + " resumed vs " + b + " uninterrupted");
  }

  @Test
  @Order(3)
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aLostWorkerDoesNotStopTraining() throws Exception {
    Process driver = cluster.startScript("train-lost-worker", wrapper(job(out, "train",
        "--set", "train.epochs=3", "--set", "run-id=lost-worker")), WRAPPER_ENV);
    awaitFile(out.resolve("runs/lost-worker/checkpoints/epoch-000001/state.json"), driver, STEP_TIMEOUT);
    Thread.sleep(1500); // into epoch 2's parameter averaging
    StandaloneCluster.kill(cluster.workers().get(1)); // kill -9: the worker and its executor, as a lost machine
    assertTrue(driver.waitFor(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "the job finishes");
    assertEquals(0, driver.exitValue(), "the job survives the lost worker:\n"
        + StandaloneCluster.tail(cluster.logs().resolve("train-lost-worker.log"), 60));
    assertEquals(List.of(1, 2, 3), epochs("lost-worker"), "every epoch exactly once");
    assertNotNull(io.sparkvae.model.vae.ModelStore.load(out.resolve("runs/lost-worker/model.zip").toString(),
        new org.apache.hadoop.conf.Configuration()).graph());
    String log = Files.readString(cluster.logs().resolve("train-lost-worker.log"));
    assertTrue(log.contains("Lost executor") || log.contains("lost executor") || log.contains("Executor lost"),
        "the driver saw the executor go:\n" + StandaloneCluster.tail(
            cluster.logs().resolve("train-lost-worker.log"), 60));
  }

  private static String[] concat(String[] a, String... b) {
    String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
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
