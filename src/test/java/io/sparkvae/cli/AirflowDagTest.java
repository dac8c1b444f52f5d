package io.sparkvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit/airflow/spark_vae_dag.py without Airflow: it compiles; run under small stand-ins of the Airflow modules
 * it imports (which record every task), it builds the two DAGs we mean; and the arguments of every Spark task,
 * its templates rendered for a logical date, pass {@code validate}. Needs python3 on the PATH and fails without.
 *
 * <p>The config file: the DAG names it by its path on the Airflow worker (default /opt/spark-vae/conf/NAME, the
 * Docker image's copy of conf/). validate reads it at that path; a Spark task ships it with files= and names its
 * base name, which Spark puts in the driver's working directory. The test checks exactly that, then reads NAME
 * from this repository's conf/.
 */
class AirflowDagTest {
  private static final Path DAG_FILE = Path.of("submit/airflow/spark_vae_dag.py");
  private static final String MAIN_CLASS = "io.sparkvae.cli.Main";
  private static final String DATE = "2026-11-23T00:00:00+00:00";
  private static final String LATER_DATE = "2026-11-24T06:30:00+00:00";
  private static final String SCENARIOS = "[{\"logical_date\": \"" + DATE + "\", \"params\": {\"prepare\": false}},"
      + " {\"logical_date\": \"" + DATE + "\", \"params\": {\"prepare\": true}},"
      + " {\"logical_date\": \"" + LATER_DATE + "\", \"params\": {}}]";

  @TempDir Path tmp;

  @Test
  void compiles() throws Exception {
    Python r = python(Map.of("PYTHONPYCACHEPREFIX", tmp.resolve("pycache").toString()),
        "-m", "py_compile", DAG_FILE.toString());
    assertEquals(0, r.code(), "py_compile: " + r.err());
  }

  @Test
  void dagPropertiesAndTaskOrder() throws Exception {
    JsonNode dags = inspect("{}");
    assertEquals(List.of("spark_vae", "spark_vae_vqvae"), dags.findValuesAsText("dag_id"));
    for (JsonNode dag : dags) {
      String id = dag.get("dag_id").asText();
      assertEquals(1, dag.get("max_active_runs").asInt(), id);
      assertFalse(dag.get("catchup").asBoolean(), id);
      assertTrue(dag.get("retries").asInt() > 0, id + ": retries");
      assertTrue(dag.get("retry_delay_seconds").asDouble() > 0, id + ": retry delay");
      assertFalse(dag.get("params").get("prepare").asBoolean(), id + ": prepare is off unless asked for");
    }
    assertOrder(dags.get(0), List.of("train", "evaluate", "sample"));
    assertOrder(dags.get(1), List.of("train", "evaluate", "encode", "train-prior", "sample"));
  }

  /** validate -> prepare_or_train -> (prepare ->) first step -> ... -> last step; the branch follows the param. */
  private static void assertOrder(JsonNode dag, List<String> steps) {
    JsonNode tasks = dag.get("tasks");
    Set<String> expected = new TreeSet<>(List.of("validate", "prepare_or_train", "prepare"));
    expected.addAll(steps);
    assertEquals(expected, new TreeSet<>(names(tasks.fieldNames())));
    assertEquals(List.of(), upstream(tasks, "validate"));
    assertEquals(List.of("validate"), upstream(tasks, "prepare_or_train"));
    assertEquals(List.of("prepare_or_train"), upstream(tasks, "prepare"));
    assertEquals(List.of("prepare", "prepare_or_train"), upstream(tasks, steps.get(0)));
    assertEquals("none_failed_min_one_success", tasks.get(steps.get(0)).get("trigger_rule").asText(),
        "the first step runs when prepare was skipped");
    for (int i = 1; i < steps.size(); i++) {
      assertEquals(List.of(steps.get(i - 1)), upstream(tasks, steps.get(i)));
    }
    JsonNode branch = tasks.get("prepare_or_train").get("branch");
    assertEquals("prepare", branch.get("true").asText());
    assertEquals(steps.get(0), branch.get("false").asText());
  }

  @Test
  void everySparkTaskRunsMainWithTheRunIdOfTheLogicalDateAndBoundedOffHeapMemory() throws Exception {
    JsonNode dags = inspect("{}");
    for (JsonNode dag : dags) {
      String kind = dag.get("dag_id").asText().equals("spark_vae") ? "vae" : "vqvae";
      for (JsonNode task : sparkTasks(dag)) {
        String id = dag.get("dag_id").asText() + "." + task.get("task_id").asText();
        assertEquals(MAIN_CLASS, task.get("java_class").asText(), id);
        assertTrue(task.get("application").asText().endsWith("/spark-vae-cluster.jar"), id);
        assertTrue(strings(task.get("application_args")).contains("run-id=" + kind + "-{{ ts_nodash }}"),
            id + ": run-id from the logical date: " + task.get("application_args"));
        JsonNode first = task.get("rendered").get(0);
        JsonNode later = task.get("rendered").get(2);
        assertTrue(strings(first.get("application_args")).contains("run-id=" + kind + "-20261123T000000"), id);
        assertNotEquals(runId(first), runId(later), id + ": another logical date, another run");
        assertEquals(runId(first), runId(task.get("rendered").get(1)), id + ": the same date, the same run");
        String taskId = task.get("task_id").asText();
        if (taskId.equals("validate")) {
          assertEquals("client", task.get("deploy_mode").asText(), id + ": validate starts no SparkContext");
          continue;
        }
        // a retry of a finished step does nothing; of train or train-prior resumes from its checkpoints (which
        // --overwrite would delete); of the others replaces what the failed attempt left
        List<String> taskArgs = strings(first.get("application_args"));
        assertTrue(taskArgs.contains("--overwrite-unless-done"), id + ": " + taskArgs);
        assertFalse(taskArgs.contains("--overwrite"), id + ": " + taskArgs);
        assertEquals("cluster", task.get("deploy_mode").asText(), id);
        JsonNode conf = task.get("conf");
        assertTrue(conf.has("spark.executor.memoryOverhead"), id);
        assertEquals("false", conf.get("spark.dynamicAllocation.enabled").asText(), id + ": barrier stages");
        for (String role : List.of("executor", "driver")) {
          String options = conf.get("spark." + role + ".extraJavaOptions").asText();
          assertTrue(options.contains("-Dorg.bytedeco.javacpp.maxbytes=")
              && options.contains("-Dorg.bytedeco.javacpp.maxphysicalbytes="), id + ": " + options);
        }
      }
      JsonNode validate = dag.get("tasks").get("validate").get("rendered");
      String steps = kind.equals("vae") ? "train,evaluate,sample" : "train,evaluate,encode,train-prior,sample";
      assertEquals(List.of("validate", steps), strings(validate.get(0).get("application_args")).subList(0, 2));
      assertTrue(strings(validate.get(0).get("application_args")).contains("--overwrite-unless-done"),
          "validate checks the steps as they will run");
      assertEquals(List.of("validate", "prepare," + steps),
          strings(validate.get(1).get("application_args")).subList(0, 2));
    }
  }

  @Test
  void unknownSettingFailsTheImportNamingIt() throws Exception {
    Python r = runInspector("{\"spark_vae\": {\"executor_memroy_gb\": 4}}");
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("unknown keys ['executor_memroy_gb']"), r.err());
  }

  @Test
  void everySparkTaskArgumentsPassValidate() throws Exception {
    Path out = tmp.resolve("out");
    Path raw = Files.createDirectories(tmp.resolve("raw"));
    JsonNode dags = inspect("{\"spark_vae\": {\"output_root\": \"" + out + "\","
        + " \"extra_args\": [\"--set\", \"data.input=" + raw + "\"]}}");
    for (JsonNode dag : dags) {
      JsonNode tasks = dag.get("tasks");
      String id = dag.get("dag_id").asText();
      // before the run: with prepare, only the raw input must exist; without, the prepared dataset too
      assertValidates(tasks.get("validate"), 1, 0, id + " validate with prepare");
      if (!Files.exists(out.resolve("prepared"))) {
        assertValidates(tasks.get("validate"), 0, 2, id + " validate without prepare, nothing prepared");
        Files.createDirectories(out.resolve("prepared"));
        Files.writeString(out.resolve("prepared/_dataset.json"), "{\"height\": 32, \"width\": 32, \"channels\": 3}");
      }
      assertValidates(tasks.get("validate"), 0, 0, id + " validate without prepare");
      // each step, once the steps before it have written their outputs
      Path runDir = out.resolve("runs").resolve(runId(tasks.get("validate").get("rendered").get(0)));
      Files.createDirectories(runDir.resolve("codes"));
      Files.writeString(runDir.resolve("model.zip"), "");
      Files.writeString(runDir.resolve("prior.zip"), "");
      Files.writeString(runDir.resolve("latent-prior.json"), "");
      for (JsonNode task : sparkTasks(dag)) {
        assertValidates(task, 0, 0, id + " " + task.get("task_id").asText());
      }
    }
  }

  /** Runs validate with the task's arguments rendered for scenario {@code i}; nothing under tmp may change. */
  private void assertValidates(JsonNode task, int scenario, int expectedCode, String what) throws IOException {
    List<String> args = driverArgs(task, task.get("rendered").get(scenario));
    if (!args.get(0).equals(ValidateCommand.NAME)) {
      args.add(0, ValidateCommand.NAME);
    }
    List<Path> before = filesUnder(tmp);
    // the DAG runs validate with spark-submit, which gives the driver JVM the connection's master (yarn here)
    String master = System.setProperty("spark.master", "yarn");
    MainRun r;
    try {
      r = MainRun.of(args);
    } finally {
      if (master == null) {
        System.clearProperty("spark.master");
      } else {
        System.setProperty("spark.master", master);
      }
    }
    assertEquals(expectedCode, r.code(), what + ": " + args + "\n" + r.err());
    if (expectedCode != 0) {
      assertTrue(r.err().contains("no prepared dataset"), what + ": " + r.err());
    }
    assertEquals(before, filesUnder(tmp), what + ": nothing written");
  }

  /**
   * The task's rendered arguments as its driver sees them: the --config file is where the DAG puts it (validate,
   * in client mode: the path on the Airflow worker; a Spark step: the base name of its files= entry), read from
   * this repository's conf/.
   */
  private static List<String> driverArgs(JsonNode task, JsonNode rendered) {
    List<String> args = new ArrayList<>(strings(rendered.get("application_args")));
    int i = args.indexOf("--config");
    assertTrue(i >= 0, "every task names its config: " + args);
    String config = args.get(i + 1);
    if (task.get("deploy_mode").asText().equals("client")) {
      assertTrue(config.startsWith("/"), "validate reads the config at its path on the Airflow worker: " + config);
    } else {
      String shipped = rendered.get("files").asText();
      assertEquals(Path.of(shipped).getFileName().toString(), config, "the base name of the file shipped");
    }
    Path local = Path.of("conf").resolve(Path.of(config).getFileName());
    assertTrue(Files.isRegularFile(local), "the DAG's config " + config + " is one of conf/");
    args.set(i + 1, local.toString());
    return args;
  }

  private static List<JsonNode> sparkTasks(JsonNode dag) {
    List<JsonNode> tasks = new ArrayList<>();
    dag.get("tasks").forEach(t -> {
      if (t.get("operator").asText().equals("SparkSubmitOperator")) {
        tasks.add(t);
      }
    });
    return tasks;
  }

  private static String runId(JsonNode rendered) {
    return strings(rendered.get("application_args")).stream().filter(a -> a.startsWith("run-id="))
        .map(a -> a.substring("run-id=".length())).findFirst().orElseThrow();
  }

  private static List<String> upstream(JsonNode tasks, String task) {
    return strings(tasks.get(task).get("upstream"));
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  private static List<String> names(Iterator<String> it) {
    List<String> list = new ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }

  private static List<Path> filesUnder(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> !p.startsWith(dir.resolve("python"))).sorted().toList();
    }
  }

  /** The DAGs the file builds, as the inspector prints them, with Airflow Variables {@code variables} (JSON). */
  private JsonNode inspect(String variables) throws Exception {
    Python r = runInspector(variables);
    assertEquals(0, r.code(), "the DAG file under stub Airflow: " + r.err());
    return new ObjectMapper().readTree(r.out()).get("dags");
  }

  private Python runInspector(String variables) throws Exception {
    Path stubs = tmp.resolve("python");
    for (Map.Entry<String, String> f : AirflowStubs.FILES.entrySet()) {
      Path file = stubs.resolve(f.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, f.getValue());
    }
    return python(Map.of("PYTHONPATH", stubs.toString(), "PYTHONDONTWRITEBYTECODE", "1",
        "STUB_AIRFLOW_VARIABLES", variables), stubs.resolve("inspect_dag.py").toString(), DAG_FILE.toString(),
        SCENARIOS);
  }

  /** The exit code and output of one python3 run. */
  private record Python(int code, String out, String err) {}

  /** Runs python3 with {@code args} to the end; fails, saying so, when python3 is missing. */
  private static Python python(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("python3"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return fail("python3 is needed to check submit/airflow/spark_vae_dag.py and was not found on the PATH ("
          + e.getMessage() + "); install Python 3.8 or later");
    }
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    String out = read(p.getInputStream());
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("python3 " + String.join(" ", args) + " did not finish in 60 s");
    }
    return new Python(p.exitValue(), out, err.get());
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
