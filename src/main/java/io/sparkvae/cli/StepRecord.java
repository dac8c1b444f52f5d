package io.sparkvae.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvae.config.AppConfig;
import io.sparkvae.data.PreparedWriter;
import io.sparkvae.io.BuildInfo;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.Hashes;
import io.sparkvae.io.VqLineage;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of one step (command) of a run, in {@code <run dir>/_steps/<command>/}: {@code run.json} (command,
 * run id, status running / succeeded / failed, start, end, the resolved configuration and its hash, versions and
 * git commit, the error of a failed attempt) and, once the step has succeeded, the {@code _SUCCESS} marker, written
 * last. A rerun of a step that succeeded with the same configuration is a no-op, for schedulers that retry, as long
 * as its outputs are still there and, for outputs another run may replace, still as it left them
 * ({@link Job#outputStamp}, kept as {@code output_stamp}).
 *
 * <p>{@code run.json} also says what each input was when the step started ({@code inputs}), so that a model can be
 * traced to the dataset it was trained on and samples to the model that drew them: a file's size and SHA-256, a
 * prepared dataset's or code grids' summary file's SHA-256. An input that changed since the previous attempt of
 * the same step (a dataset prepared again under a resumed {@code train}) is logged as a warning.
 */
public final class StepRecord {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Logger LOG = LoggerFactory.getLogger(StepRecord.class);
  /** The files that stand for a directory input: a prepared dataset's summary, a run's code grids' lineage. */
  private static final List<String> SUMMARIES = List.of(PreparedWriter.SUMMARY, VqLineage.CODES_INFO);

  private final HadoopFiles files;
  private final String dir;
  private final String command;
  private final AppConfig config;
  private final JsonNode configJson;
  private final String configHash;
  private Instant start;
  private boolean rootExisted = true;
  private ObjectNode inputs = JSON.createObjectNode();
  private List<String> inputChanges = List.of();

  public StepRecord(HadoopFiles files, AppConfig config, String command) {
    this.files = files;
    this.dir = HadoopFiles.child(HadoopFiles.child(config.runDir(), "_steps"), command);
    this.command = command;
    this.config = config;
    this.configJson = JSON.valueToTree(config);
    this.configHash = Hashes.sha256(hashed(configJson, config, command));
  }

  /** What the hash covers: the configuration, and the versions of code the command's result depends on. */
  static JsonNode hashed(JsonNode configJson, AppConfig config, String command) {
    Map<String, String> versions = Main.JOBS.get(command).codeVersions(config);
    if (versions.isEmpty()) {
      return configJson;
    }
    ObjectNode node = JSON.createObjectNode();
    node.set("config", configJson);
    versions.forEach(node::put);
    return node;
  }

  public String runJson() {
    return HadoopFiles.child(dir, "run.json");
  }

  public String success() {
    return HadoopFiles.child(dir, "_SUCCESS");
  }

  /**
   * The no-op rule, for running a command and for validating it: unless {@code overwrite}, when the command already
   * succeeded with this configuration and its outputs are still there, the {@code end} time of that run (running
   * it again does nothing). An output deleted since (a prepared dataset removed to save space) makes it run again.
   */
  static Optional<String> noOpSince(HadoopFiles files, AppConfig config, String command, boolean overwrite) {
    if (overwrite || !Main.JOBS.get(command).outputs(config).stream().allMatch(files::exists)) {
      return Optional.empty();
    }
    return new StepRecord(files, config, command).finishedWithSameConfig();
  }

  /**
   * When this step already succeeded with this very configuration: the {@code end} time of that run, else empty.
   * An unreadable record counts as not finished.
   */
  public Optional<String> finishedWithSameConfig() {
    if (!files.exists(success()) || !files.exists(runJson())) {
      return Optional.empty();
    }
    try {
      JsonNode json = JSON.readTree(files.readString(runJson()));
      if ("succeeded".equals(json.path("status").asText()) && configHash.equals(json.path("config_hash").asText())
          && stampUnchanged(json.path("output_stamp"))) {
        return Optional.of(json.path("end").asText());
      }
    } catch (JsonProcessingException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** A record from before stamps were kept has none, and is taken as it is. */
  private boolean stampUnchanged(JsonNode recorded) {
    return recorded.isMissingNode() || Optional.of(recorded.asText()).equals(job().outputStamp(config, files));
  }

  private Job job() {
    return Main.JOBS.get(command);
  }

  /**
   * The step starts: any earlier marker goes, and so does what earlier attempts left unfinished beside the outputs;
   * {@code run.json} says running and what the inputs are.
   */
  public void started(String sparkVersion) {
    start = Instant.now();
    rootExisted = files.exists(config.outputRoot());
    inputs = inputs();
    inputChanges = changes(previousInputs(), inputs);
    inputChanges.forEach(LOG::warn);
    removeUnfinishedOutputs();
    if (files.exists(success())) {
      files.delete(success());
    }
    write(base("running", sparkVersion));
  }

  /** The step succeeded: {@code run.json} first, then the {@code _SUCCESS} marker that commits it. */
  public void succeeded(String sparkVersion) {
    ObjectNode json = base("succeeded", sparkVersion);
    finish(json);
    job().outputStamp(config, files).ifPresent(stamp -> json.put("output_stamp", stamp));
    write(json);
    files.writeString(success(), "");
  }

  /** The step failed: {@code run.json} says so and why; no marker. */
  public void failed(String sparkVersion, String error) {
    ObjectNode json = base("failed", sparkVersion);
    finish(json);
    json.put("error", error);
    write(json);
  }

  /**
   * Removes the record as if the step had never started (for a step refused on its input, which writes
   * nothing), with the folders that are now empty up to the output root, and that too if the step created it.
   */
  public void discard() {
    files.delete(dir);
    String root = new Path(config.outputRoot()).toUri().getPath();
    Path p = new Path(dir).getParent();
    while (p != null && p.toUri().getPath().startsWith(root) && files.isDirectory(p.toString())
        && files.list(p.toString()).isEmpty() && (rootExisted ? !p.toUri().getPath().equals(root) : true)) {
      files.delete(p.toString());
      if (p.toUri().getPath().equals(root)) {
        break;
      }
      p = p.getParent();
    }
  }

  /**
   * Deletes the temporary siblings of the step's outputs: what earlier attempts killed before their rename left (a
   * driver lost while writing leaves a whole temporary Parquet directory, which no {@code finally} removes). One
   * attempt of a step writes at a time: a scheduler retries once the attempt has ended, and runs that share the
   * prepared dataset must not prepare it at the same time (see the README).
   */
  private void removeUnfinishedOutputs() {
    for (String output : job().outputs(config)) {
      for (String tmp : files.temporarySiblings(output)) {
        LOG.warn("{}: removing {}, the unfinished output of an earlier attempt", command, files.qualify(tmp));
        files.delete(tmp);
      }
    }
  }

  /** The inputs' fingerprints as the step found them, by qualified path. */
  private ObjectNode inputs() {
    ObjectNode all = JSON.createObjectNode();
    for (String path : job().inputs(config)) {
      ObjectNode node = all.putObject(files.qualify(path));
      try {
        if (!files.exists(path)) {
          continue;
        }
        if (!files.isDirectory(path)) {
          node.put("bytes", files.length(path));
          node.put("sha256", files.sha256(path));
          continue;
        }
        for (String name : SUMMARIES) {
          String summary = HadoopFiles.child(path, name);
          if (files.exists(summary)) {
            node.put("summary", name);
            node.put("sha256", files.sha256(summary));
            break;
          }
        }
      } catch (UncheckedIOException e) { // the record is no reason to fail the step
        node.put("error", String.valueOf(e.getMessage()));
      }
    }
    return all;
  }

  /** The inputs an earlier attempt of this step recorded, or an empty object. */
  private JsonNode previousInputs() {
    try {
      return files.exists(runJson()) ? JSON.readTree(files.readString(runJson())).path("inputs")
          : JSON.createObjectNode();
    } catch (JsonProcessingException | RuntimeException e) {
      return JSON.createObjectNode();
    }
  }

  /** One line per input whose SHA-256 differs between the two records. */
  private List<String> changes(JsonNode before, JsonNode now) {
    List<String> lines = new ArrayList<>();
    now.fields().forEachRemaining(e -> {
      String was = before.path(e.getKey()).path("sha256").asText("");
      String is = e.getValue().path("sha256").asText("");
      if (!was.isEmpty() && !is.isEmpty() && !was.equals(is)) {
        lines.add(command + ": its input " + e.getKey() + " changed since the previous attempt of run "
            + config.runId() + " (SHA-256 " + was.substring(0, 12) + "… then, " + is.substring(0, 12) + "… now)");
      }
    });
    return lines;
  }

  /** What {@link #started} found changed since the previous attempt (also logged). */
  List<String> inputChanges() {
    return inputChanges;
  }

  private void finish(ObjectNode json) {
    Instant end = Instant.now();
    json.put("end", end.toString());
    json.put("duration_s", Duration.between(start, end).toMillis() / 1000.0);
  }

  private ObjectNode base(String status, String sparkVersion) {
    ObjectNode json = JSON.createObjectNode();
    json.put("command", command);
    json.put("run_id", config.runId());
    json.put("status", status);
    json.put("start", start.toString());
    ObjectNode versions = json.putObject("versions");
    versions.put("spark-vae", BuildInfo.get("version"));
    versions.put("git_commit", BuildInfo.get("git.commit"));
    versions.put("spark", sparkVersion);
    versions.put("dl4j", BuildInfo.get("dl4j.version"));
    versions.put("java", System.getProperty("java.version"));
    json.put("config_hash", configHash);
    json.set("inputs", inputs);
    json.set("config", configJson);
    return json;
  }

  private void write(ObjectNode json) {
    try {
      files.writeString(runJson(), JSON.writeValueAsString(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
