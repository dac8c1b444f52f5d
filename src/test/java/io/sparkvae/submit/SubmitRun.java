package io.sparkvae.submit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of a script of submit/ through bash, in a clean environment, with {@code SPARK_SUBMIT} pointing to a
 * stub that records the arguments it received (one a line) and the {@code OMP_NUM_THREADS} it inherited.
 * {@code submitArgs} is null when the script never ran spark-submit.
 */
record SubmitRun(int exitCode, String stdout, String stderr, List<String> submitArgs, String inheritedOmpThreads) {

  static final Path ROOT = Path.of("").toAbsolutePath();

  private static final String STUB = """
      #!/usr/bin/env bash
      printf '%s\\n' "$@" > "$STUB_DIR/args"
      printf '%s' "${OMP_NUM_THREADS-}" > "$STUB_DIR/omp"
      """;

  /** Runs {@code bash script args...} from the project root with the given variables and the stub. */
  static SubmitRun run(Path tmp, String script, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    Path stubDir = Files.createTempDirectory(tmp, "stub");
    Path stub = stubDir.resolve("spark-submit");
    Files.writeString(stub, STUB);
    Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<String> command = new ArrayList<>(List.of("bash", script));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile())
        .redirectOutput(stubDir.resolve("stdout").toFile())
        .redirectError(stubDir.resolve("stderr").toFile());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().put("HOME", tmp.toString());
    pb.environment().put("STUB_DIR", stubDir.toString());
    pb.environment().put("SPARK_SUBMIT", stub.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), script + " did not finish within 60 s");
    Path argsFile = stubDir.resolve("args");
    List<String> submitArgs = Files.exists(argsFile) ? Files.readAllLines(argsFile, StandardCharsets.UTF_8) : null;
    Path omp = stubDir.resolve("omp");
    return new SubmitRun(p.exitValue(), Files.readString(stubDir.resolve("stdout")),
        Files.readString(stubDir.resolve("stderr")), submitArgs,
        Files.exists(omp) ? Files.readString(omp) : null);
  }

  /** The spark-submit arguments; fails with the script's error output when spark-submit never ran. */
  List<String> args() {
    assertNotNull(submitArgs, "spark-submit was not run (exit " + exitCode + "):\n" + stderr);
    return submitArgs;
  }

  /** The value after the first occurrence of {@code option}, or null when it is absent. */
  String option(String option) {
    int i = args().indexOf(option);
    return i < 0 ? null : args().get(i + 1);
  }

  /** Every {@code --conf key=value}, in order; a later one replaces an earlier one, as in spark-submit. */
  Map<String, String> confs() {
    Map<String, String> confs = new LinkedHashMap<>();
    List<String> a = args();
    for (int i = 0; i < a.size() - 1; i++) {
      if (a.get(i).equals("--conf")) {
        String kv = a.get(++i);
        confs.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    return confs;
  }

  /** The arguments after the application jar: the sub-command and its arguments. */
  List<String> appArgs(String jar) {
    int i = args().indexOf(jar);
    assertTrue(i > 0, "no application jar " + jar + " in " + args());
    return args().subList(i + 1, args().size());
  }
}
