package io.sparkvae.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on 127.0.0.1, made of separate JVM processes: one {@code Master} and N
 * {@code Worker}s started from a {@code SPARK_HOME} assembled by the build ({@code target/spark-home/jars} holds
 * the provided dependencies, as a Spark distribution does), and applications submitted through Spark's
 * {@code SparkSubmit} main class, as {@code bin/spark-submit} does.
 *
 * <p>Every process it starts is stopped by {@link #close()}, together with the processes those started
 * (the executors the workers launched): first politely, then by force. A JVM shutdown hook does the same if
 * the test JVM is stopped before {@code close()} runs (a timeout that kills the forked JVM, Ctrl-C).
 *
 * <p>Each process writes its output to a log file under {@code logs/} of the cluster's directory; {@link
 * #tail(Path, int)} helps a failing test say why.
 */
public final class StandaloneCluster implements AutoCloseable {
  /** Spark's Java 17 options (set by the build as the system property {@code spark.add.opens}). */
  static final List<String> ADD_OPENS = Arrays.stream(System.getProperty("spark.add.opens",
      "-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED "
          + "--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED "
          + "--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED")
      .trim().split("\\s+")).toList();

  private final Path sparkHome;
  private final Path dir;
  private final Path logs;
  private final List<Process> processes = new ArrayList<>();
  private final List<Process> workers = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::stopAll, "standalone-cluster-cleanup");
  private int masterPort;

  /**
   * @param sparkHome a folder with {@code jars/} (the build's {@code target/spark-home})
   * @param dir       working folder for logs, worker folders and outputs (created)
   */
  public StandaloneCluster(Path sparkHome, Path dir) throws IOException {
    this.sparkHome = sparkHome.toAbsolutePath();
    this.dir = dir.toAbsolutePath();
    this.logs = this.dir.resolve("logs");
    if (!Files.isDirectory(this.sparkHome.resolve("jars"))) {
      throw new IllegalStateException(this.sparkHome.resolve("jars") + " is missing: run `mvn package` "
          + "(without -DskipTests) so that the build assembles it");
    }
    Files.createDirectories(logs);
    Files.createDirectories(this.sparkHome.resolve("conf"));
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** The master's URL, {@code spark://127.0.0.1:PORT}. */
  public String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  public Path dir() {
    return dir;
  }

  public Path logs() {
    return logs;
  }

  /** The work folder of worker {@code i} (0-based): executors write {@code app-*}/{@code N}/stderr there. */
  public Path workerDir(int i) {
    return dir.resolve("worker-" + i);
  }

  /** The worker processes, in start order (for tests that kill one). */
  public List<Process> workers() {
    return List.copyOf(workers);
  }

  /** Starts the master and {@code workerCount} workers, each offering {@code cores} cores and {@code memory}. */
  public void start(int workerCount, int cores, String memory, Duration timeout) throws Exception {
    masterPort = freePort();
    Process master = launch("master", List.of("-Xmx256m"), "org.apache.spark.deploy.master.Master",
        List.of("--host", "127.0.0.1", "--port", String.valueOf(masterPort), "--webui-port", "0"));
    awaitLog(master, logs.resolve("master.log"), "I have been elected leader", timeout);
    for (int i = 0; i < workerCount; i++) {
      Files.createDirectories(workerDir(i));
      Process w = launch("worker-" + i, List.of("-Xmx256m"), "org.apache.spark.deploy.worker.Worker",
          List.of("--host", "127.0.0.1", "--cores", String.valueOf(cores), "--memory", memory,
              "--work-dir", workerDir(i).toString(), "--webui-port", "0", masterUrl()));
      workers.add(w);
    }
    for (int i = 0; i < workerCount; i++) {
      awaitLog(workers.get(i), logs.resolve("worker-" + i + ".log"), "Successfully registered with master",
          timeout);
    }
  }

  /**
   * Runs {@code SparkSubmit} in client mode against this cluster and waits for it; returns its exit code. The
   * driver's output goes to {@code logs/<name>.log}.
   */
  public int submit(String name, List<String> driverJvmOptions, List<String> sparkSubmitArgs, Duration timeout)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("--master", masterUrl(), "--deploy-mode", "client"));
    args.addAll(sparkSubmitArgs);
    Process driver = launch(name, driverJvmOptions, "org.apache.spark.deploy.SparkSubmit", args);
    if (!driver.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      stop(driver);
      throw new IllegalStateException(name + " did not finish within " + timeout + "; last lines of its log:\n"
          + tail(logs.resolve(name + ".log"), 40));
    }
    return driver.exitValue();
  }

  /**
   * Runs a command (e.g. {@code submit/standalone.sh train ...}) with this cluster's {@code SPARK_HOME}, whose
   * {@code bin/spark-submit} starts {@code SparkSubmit} through Spark's launcher as a Spark distribution's does,
   * and {@code SPARK_MASTER} set, plus {@code env}; waits for it and returns its exit code. Output goes to
   * {@code logs/<name>.log}.
   */
  public int runScript(String name, List<String> command, Map<String, String> env, Duration timeout)
      throws Exception {
    Process p = startScript(name, command, env);
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      stop(p);
      throw new IllegalStateException(name + " did not finish within " + timeout + "; last lines of its log:\n"
          + tail(logs.resolve(name + ".log"), 40));
    }
    return p.exitValue();
  }

  /** Starts what {@link #runScript} runs, without waiting (for tests that kill it). */
  public Process startScript(String name, List<String> command, Map<String, String> env) throws IOException {
    writeSparkSubmit();
    Map<String, String> all = new java.util.HashMap<>(Map.of("SPARK_MASTER", masterUrl(),
        "JAVA_HOME", System.getProperty("java.home")));
    all.putAll(env);
    return start(name, command, all);
  }

  /** Kills a process and its descendants at once (SIGKILL), as a lost machine would; waits until they are gone. */
  public static void kill(Process p) throws InterruptedException {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    p.waitFor(20, TimeUnit.SECONDS);
    for (ProcessHandle c : children) {
      try {
        c.onExit().get(20, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("process " + c.pid() + " survived SIGKILL", e);
      }
    }
  }

  /** {@code bin/spark-submit}: what Spark's bin/spark-submit and bin/spark-class do, for the assembled home. */
  private void writeSparkSubmit() throws IOException {
    Path script = sparkHome.resolve("bin/spark-submit");
    Files.createDirectories(script.getParent());
    Files.writeString(script, String.join("\n",
        "#!/usr/bin/env bash",
        "# Spark's bin/spark-submit and bin/spark-class in one: the launcher library prints its messages, a NUL line,",
        "# then the driver's command (heap, extraJavaOptions, Java 17 module options applied), NUL-separated, and",
        "# last its own exit code.",
        "set -euo pipefail",
        "SPARK_HOME=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")/..\" && pwd)\"",
        "export SPARK_HOME SPARK_SCALA_VERSION=2.12",
        "build_command() {",
        "  local code=0",
        "  \"$JAVA_HOME/bin/java\" -Xmx128m -cp \"$SPARK_HOME/jars/*\" org.apache.spark.launcher.Main \\",
        "    org.apache.spark.deploy.SparkSubmit \"$@\" || code=$?",
        "  printf '%d\\0' \"$code\"",
        "}",
        "CMD=()",
        "DELIM=$'\\n'",
        "STARTED=false",
        "while IFS= read -d \"$DELIM\" -r ARG; do",
        "  if [[ $STARTED == true ]]; then",
        "    CMD+=(\"$ARG\")",
        "  elif [[ $ARG == '' ]]; then",
        "    DELIM=''",
        "    STARTED=true",
        "  else",
        "    echo \"$ARG\"",
        "  fi",
        "done < <(build_command \"$@\")",
        "LAST=$(( ${#CMD[@]} - 1 ))",
        "[[ \"${CMD[$LAST]}\" == 0 ]] || exit \"${CMD[$LAST]}\"",
        "exec \"${CMD[@]:0:$LAST}\"", ""));
    script.toFile().setExecutable(true);
  }

  private void environment(ProcessBuilder pb) {
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", sparkHome.toString());
    // without it Spark's launcher (used by the worker to build executor commands) looks for build folders
    env.put("SPARK_SCALA_VERSION", "2.12");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_LOG_DIR", logs.toString());
    env.putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
  }

  private Process launch(String name, List<String> jvmOptions, String mainClass, List<String> args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ADD_OPENS);
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(sparkHome.resolve("conf") + "/:" + sparkHome.resolve("jars") + "/*");
    cmd.add(mainClass);
    cmd.addAll(args);
    return start(name, cmd, Map.of());
  }

  /**
   * Starts {@code command} in the cluster's folder with the cluster's environment plus {@code env}, its output
   * in {@code logs/<name>.log}, and registers it to be stopped by {@link #close()}.
   */
  private Process start(String name, List<String> command, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(logs.resolve(name + ".log").toFile()).directory(dir.toFile());
    environment(pb);
    pb.environment().putAll(env);
    Process p = pb.start();
    synchronized (processes) {
      processes.add(p);
    }
    return p;
  }

  private static void awaitLog(Process p, Path log, String text, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
        return;
      }
      if (!p.isAlive()) {
        throw new IllegalStateException(log.getFileName() + ": the process exited with " + p.exitValue()
            + " before logging '" + text + "':\n" + tail(log, 40));
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(log.getFileName() + ": no '" + text + "' within " + timeout + ":\n"
        + tail(log, 40));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  /** Whether something accepts connections on the master's port (false once the cluster is closed). */
  public boolean masterReachable() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", masterPort), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The last {@code lines} lines of a log file (empty if it does not exist). */
  public static String tail(Path log, int lines) {
    if (!Files.exists(log)) {
      return "(no " + log + ")";
    }
    try (Stream<String> s = Files.lines(log, StandardCharsets.ISO_8859_1)) {
      List<String> all = s.toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops one process and everything it started: SIGTERM, up to 10 s, then SIGKILL. */
  public static void stop(Process p) {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle c : children) {
      c.destroyForcibly();
    }
  }

  private void stopAll() {
    List<Process> all;
    synchronized (processes) {
      all = new ArrayList<>(processes);
      processes.clear();
    }
    // drivers first, the master last, so that nothing reconnects while the rest stops
    for (int i = all.size() - 1; i >= 0; i--) {
      stop(all.get(i));
    }
  }

  /** The PIDs of every process started and still alive, with their descendants (for tests of cleanup). */
  public List<Long> livePids() {
    List<Long> pids = new ArrayList<>();
    synchronized (processes) {
      for (Process p : processes) {
        p.descendants().forEach(d -> pids.add(d.pid()));
        if (p.isAlive()) {
          pids.add(p.pid());
        }
      }
    }
    return pids;
  }

  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs stopAll itself
    }
  }
}
