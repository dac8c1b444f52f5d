package io.sparkvae.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** submit/standalone.sh, yarn.sh and k8s.sh build the spark-submit command line they should, or refuse clearly. */
class SubmitScriptsTest {
  private static final String MAIN = "io.sparkvae.cli.Main";

  @TempDir Path tmp;
  private String jar;
  private Path config;

  @BeforeEach
  void files() throws IOException {
    jar = Files.createFile(tmp.resolve("spark-vae-cluster.jar")).toString();
    // a path with a space: arrays all the way, never word splitting
    config = Files.createDirectories(tmp.resolve("my configs")).resolve("nightly.conf");
    Files.writeString(config, "train.epochs = 1\n");
  }

  private Map<String, String> env(String... kv) {
    Map<String, String> env = new HashMap<>(Map.of("SPARK_VAE_JAR", jar));
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return env;
  }

  @Test
  void yarnClusterShipsTheConfigAndPassesTheRestUnchanged() throws Exception {
    SubmitRun r = SubmitRun.run(tmp, "submit/yarn.sh", env("SPARK_VAE_NUM_EXECUTORS", "3",
            "SPARK_VAE_EXECUTOR_CORES", "4", "SPARK_VAE_TASK_CPUS", "2", "SPARK_VAE_EXECUTOR_MEMORY", "5g",
            "SPARK_VAE_EXECUTOR_OFFHEAP", "3g", "SPARK_VAE_YARN_QUEUE", "ml"),
        "train", "--config", config.toString(), "--set", "run-id=nightly run 1",
        "--set=output-root=hdfs:///user/me/spark vae", "--overwrite");
    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals("yarn", r.option("--master"));
    assertEquals("cluster", r.option("--deploy-mode"));
    assertEquals(MAIN, r.option("--class"));
    assertEquals("ml", r.option("--queue"));
    assertEquals(config.toString(), r.option("--files"));
    assertEquals("3", r.option("--num-executors"));
    assertEquals("4", r.option("--executor-cores"));
    assertEquals("5g", r.option("--executor-memory"));
    assertEquals("4g", r.option("--driver-memory"));
    assertEquals("2", r.option("--driver-cores"));
    Map<String, String> conf = r.confs();
    assertEquals("2", conf.get("spark.task.cpus"));
    assertEquals("5g", conf.get("spark.executor.memoryOverhead"), "off-heap + 2g by default");
    assertEquals("-Dorg.bytedeco.javacpp.maxbytes=3g -Dorg.bytedeco.javacpp.maxphysicalbytes=10g",
        conf.get("spark.executor.extraJavaOptions"), "maxphysicalbytes = heap + overhead");
    assertEquals("6g", conf.get("spark.driver.memoryOverhead"));
    assertEquals("-Dorg.bytedeco.javacpp.maxbytes=4g -Dorg.bytedeco.javacpp.maxphysicalbytes=10g",
        conf.get("spark.driver.extraJavaOptions"));
    assertEquals("2", conf.get("spark.executorEnv.OMP_NUM_THREADS"), "one OpenMP thread per core of a task");
    assertEquals("1", conf.get("spark.executorEnv.OPENBLAS_NUM_THREADS"), "OpenBLAS never spins beside OpenMP");
    assertEquals("false", conf.get("spark.dynamicAllocation.enabled"), "barrier stages refuse dynamic allocation");
    assertEquals("1", conf.get("spark.executorEnv.ND4J_SKIP_BLAS_THREADS"), "ND4J leaves OpenBLAS's count alone");
    assertEquals("2", conf.get("spark.yarn.appMasterEnv.OMP_NUM_THREADS"), "the driver's cores");
    assertEquals(List.of("train", "--config", "nightly.conf", "--set", "run-id=nightly run 1",
        "--set=output-root=hdfs:///user/me/spark vae", "--overwrite"), r.appArgs(jar));
    assertTrue(r.stderr().contains("6 tasks run at once"), r.stderr());
  }

  @Test
  void yarnClientKeepsTheConfigPathAndSetsTheLocalDriversThreads() throws Exception {
    SubmitRun r = SubmitRun.run(tmp, "submit/yarn.sh", env("SPARK_VAE_DEPLOY_MODE", "client",
        "SPARK_VAE_DRIVER_CORES", "3"), "sample", "--config=" + config, "--set", "sample.count=10");
    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals("client", r.option("--deploy-mode"));
    assertEquals(config.toString(), r.option("--files"));
    assertNull(r.option("--driver-cores"));
    assertFalse(r.confs().containsKey("spark.yarn.appMasterEnv.OMP_NUM_THREADS"));
    assertEquals("3", r.inheritedOmpThreads());
    assertEquals(List.of("sample", "--config=" + config, "--set", "sample.count=10"), r.appArgs(jar));
  }

  @Test
  void standaloneRunsTheDriverHereAndAsksForAllExecutorCores() throws Exception {
    SubmitRun r = SubmitRun.run(tmp, "submit/standalone.sh", env("SPARK_MASTER", "spark://master.example:7077",
            "SPARK_VAE_EXECUTOR_CORES", "2", "SPARK_VAE_EXECUTOR_OVERHEAD", "7g"),
        "prepare", "--config", config.toString(), "--dataset", "cifar10", "--input", "hdfs:///raw/cifar 10");
    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals("spark://master.example:7077", r.option("--master"));
    assertEquals("client", r.option("--deploy-mode"));
    assertEquals(MAIN, r.option("--class"));
    assertEquals("4", r.option("--total-executor-cores"), "2 executors x 2 cores");
    assertEquals("2", r.option("--executor-cores"));
    assertEquals("4g", r.option("--executor-memory"));
    assertEquals("7g", r.confs().get("spark.executor.memoryOverhead"));
    assertTrue(r.confs().get("spark.executor.extraJavaOptions").contains("maxphysicalbytes=11g"));
    assertEquals("1", r.confs().get("spark.executorEnv.OMP_NUM_THREADS"));
    assertEquals(config.toString(), r.option("--files"));
    assertEquals(List.of("prepare", "--config", config.toString(), "--dataset", "cifar10", "--input",
        "hdfs:///raw/cifar 10"), r.appArgs(jar));
  }

  @Test
  void standaloneClusterModeShipsNothing() throws Exception {
    SubmitRun r = SubmitRun.run(tmp, "submit/standalone.sh", env("SPARK_MASTER", "spark://m:7077",
        "SPARK_VAE_DEPLOY_MODE", "cluster"), "encode", "--config", config.toString());
    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals("cluster", r.option("--deploy-mode"));
    assertNull(r.option("--files"), "a standalone driver reads --config on its worker");
    assertEquals(List.of("encode", "--config", config.toString()), r.appArgs(jar));
  }

  @Test
  void standaloneWithoutMasterFailsClearly() throws Exception {
    SubmitRun r = SubmitRun.run(tmp, "submit/standalone.sh", env(), "train", "--config", config.toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.stderr().contains("SPARK_MASTER is not set"), r.stderr());
    assertNull(r.submitArgs());
  }

  @Test
  void kubernetesUsesTheImagesJarAndConfigs() throws Exception {
    SubmitRun r = SubmitRun.run(tmp, "submit/k8s.sh", Map.of("SPARK_VAE_K8S_MASTER", "https://k8s.example:6443",
            "SPARK_VAE_K8S_IMAGE", "registry.example/spark-vae:0.1", "SPARK_VAE_K8S_NAMESPACE", "ml"),
        "train-prior", "--config", "/opt/spark-vae/conf/cifar10-vqvae.conf", "--set", "run-id=a b");
    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals("k8s://https://k8s.example:6443", r.option("--master"));
    assertEquals("cluster", r.option("--deploy-mode"));
    assertEquals(MAIN, r.option("--class"));
    assertEquals("2", r.option("--num-executors"));
    Map<String, String> conf = r.confs();
    assertEquals("registry.example/spark-vae:0.1", conf.get("spark.kubernetes.container.image"));
    assertEquals("ml", conf.get("spark.kubernetes.namespace"));
    assertEquals("spark", conf.get("spark.kubernetes.authenticate.driver.serviceAccountName"));
    assertEquals("2", conf.get("spark.kubernetes.driverEnv.OMP_NUM_THREADS"));
    assertEquals("1", conf.get("spark.executorEnv.OMP_NUM_THREADS"));
    assertEquals("8g", conf.get("spark.executor.memoryOverhead"));
    assertNull(r.option("--files"), "a config in the image is not shipped");
    assertEquals(List.of("train-prior", "--config", "/opt/spark-vae/conf/cifar10-vqvae.conf", "--set", "run-id=a b"),
        r.appArgs("local:///opt/spark-vae/spark-vae-cluster.jar"));
  }

  @Test
  void kubernetesShipsALocalConfigThroughTheUploadPath() throws Exception {
    Map<String, String> env = env("SPARK_VAE_K8S_MASTER", "k8s://https://k:6443", "SPARK_VAE_K8S_IMAGE", "img");
    SubmitRun refused = SubmitRun.run(tmp, "submit/k8s.sh", env, "train", "--config", config.toString());
    assertEquals(2, refused.exitCode());
    assertTrue(refused.stderr().contains("SPARK_VAE_K8S_UPLOAD_PATH"), refused.stderr());
    assertNull(refused.submitArgs());

    env.put("SPARK_VAE_K8S_UPLOAD_PATH", "s3a://bucket/uploads");
    SubmitRun r = SubmitRun.run(tmp, "submit/k8s.sh", env, "train", "--config", config.toString());
    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals("s3a://bucket/uploads", r.confs().get("spark.kubernetes.file.upload.path"));
    assertEquals(config.toString(), r.option("--files"));
    assertEquals(List.of("train", "--config", "nightly.conf"), r.appArgs(jar));
  }

  @ParameterizedTest
  @CsvSource({"SPARK_VAE_K8S_MASTER, SPARK_VAE_K8S_IMAGE", "SPARK_VAE_K8S_IMAGE, SPARK_VAE_K8S_MASTER"})
  void kubernetesNeedsTheApiServerAndTheImage(String given, String missing) throws Exception {
    SubmitRun r = SubmitRun.run(tmp, "submit/k8s.sh", env(given, "k8s://https://k:6443"), "sample");
    assertEquals(2, r.exitCode());
    assertTrue(r.stderr().contains(missing + " is not set"), r.stderr());
    assertNull(r.submitArgs());
  }

  @Test
  void extraSettingsComeLastAndKeepTheirSpaces() throws Exception {
    SubmitRun r = SubmitRun.run(tmp, "submit/yarn.sh", env(
        "SPARK_VAE_CONF", "spark.executor.memoryOverhead=9g\n  spark.yarn.tags=spark vae  \n\n",
        "SPARK_VAE_SUBMIT_OPTS", "--proxy-user\nml team",
        "SPARK_VAE_EXECUTOR_JAVA_OPTS", "-XX:+UseG1GC -Dx=1",
        "SPARK_VAE_FILES", "hdfs:///conf/log4j2.properties"), "train", "--config", config.toString());
    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals("9g", r.confs().get("spark.executor.memoryOverhead"), "SPARK_VAE_CONF wins");
    assertEquals("spark vae", r.confs().get("spark.yarn.tags"));
    assertEquals("ml team", r.option("--proxy-user"));
    assertTrue(r.confs().get("spark.executor.extraJavaOptions").endsWith("maxphysicalbytes=12g -XX:+UseG1GC -Dx=1"));
    assertEquals(config + ",hdfs:///conf/log4j2.properties", r.option("--files"));
    assertEquals(List.of("train", "--config", "nightly.conf"), r.appArgs(jar));
  }

  @ParameterizedTest
  @CsvSource({"SPARK_VAE_EXECUTOR_CORES, four", "SPARK_VAE_NUM_EXECUTORS, 0", "SPARK_VAE_EXECUTOR_MEMORY, 4GB",
      "SPARK_VAE_EXECUTOR_OFFHEAP, -1g", "SPARK_VAE_DRIVER_MEMORY, 2.5g", "SPARK_VAE_TASK_CPUS, 3",
      "SPARK_VAE_EXECUTOR_OVERHEAD, 6g", "SPARK_VAE_DEPLOY_MODE, remote"})
  void badValuesAreRefusedBeforeSubmitting(String variable, String value) throws Exception {
    for (String script : List.of("submit/standalone.sh", "submit/yarn.sh", "submit/k8s.sh")) {
      SubmitRun r = SubmitRun.run(tmp, script, env(variable, value, "SPARK_MASTER", "spark://m:7077",
          "SPARK_VAE_K8S_MASTER", "k8s://https://k:6443", "SPARK_VAE_K8S_IMAGE", "img"), "train");
      assertEquals(2, r.exitCode(), script + " " + variable + "=" + value + ":\n" + r.stderr());
      assertTrue(r.stderr().startsWith("error: " + variable), script + ": " + r.stderr());
      assertNull(r.submitArgs(), script);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"submit/standalone.sh", "submit/yarn.sh", "submit/k8s.sh"})
  void helpListsEveryVariableTheScriptReads(String script) throws Exception {
    SubmitRun r = SubmitRun.run(tmp, script, Map.of(), "--help");
    assertEquals(0, r.exitCode(), r.stderr());
    assertNull(r.submitArgs());
    String help = r.stdout();
    String code = Files.readString(SubmitRun.ROOT.resolve(script))
        + Files.readString(SubmitRun.ROOT.resolve("submit/cluster-common.sh"));
    Matcher m = Pattern.compile("\\b(SPARK_VAE_[A-Z0-9_]*[A-Z0-9]|SPARK_SUBMIT|SPARK_MASTER|OMP_NUM_THREADS)\\b")
        .matcher(code);
    TreeSet<String> undocumented = new TreeSet<>();
    while (m.find()) {
      if (!Pattern.compile("(?m)^  " + m.group(1) + " ").matcher(help).find()) {
        undocumented.add(m.group(1));
      }
    }
    assertTrue(undocumented.isEmpty(), script + " --help does not list " + undocumented + ":\n" + help);
  }
}
