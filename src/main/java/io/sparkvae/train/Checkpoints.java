package io.sparkvae.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvae.config.ModelConfig;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.Hashes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Training checkpoints of one run, in {@code <run dir>/checkpoints/} (the PixelCNN prior's in
 * {@code <run dir>/prior-checkpoints/}): one folder per checkpoint,
 * {@code epoch-000003/} with {@code model.zip} (ModelSerializer: graph, parameters and updater state) and
 * {@code state.json} (epoch, iteration, the seed the per-epoch random streams derive from, the model config and
 * its hash, the model file's SHA-256 and size, and the metrics lines so far).
 *
 * <p>A checkpoint is written into a hidden temporary folder and renamed into place, so a reader sees it whole
 * or not at all; a checkpoint whose {@code model.zip} does not match its recorded size and hash (truncated,
 * half-copied) is skipped with a warning naming it. The newest {@code keep} are kept.
 */
public final class Checkpoints {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NAME = Pattern.compile("epoch-\\d{6}");
  private static final Pattern UNFINISHED = Pattern.compile("\\.epoch-\\d{6}\\.tmp-.*");

  /** What a checkpoint records besides the model. */
  public record State(int epoch, long iteration, long seed, String modelConfigHash, JsonNode modelConfig,
      List<String> metrics) {}

  /** A checkpoint read back and verified. */
  public record Loaded(String path, State state, byte[] modelZip) {}

  private final HadoopFiles files;
  private final String dir;
  private final String configPrefix;
  private final int keep;

  /** The checkpoints of {@code train}, in {@code <run dir>/checkpoints/}; their config is {@code model.*}. */
  public Checkpoints(HadoopFiles files, String runDir, int keep) {
    this(files, runDir, "checkpoints", "model", keep);
  }

  private Checkpoints(HadoopFiles files, String runDir, String folder, String configPrefix, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1, got " + keep);
    }
    this.files = files;
    this.dir = HadoopFiles.child(runDir, folder);
    this.configPrefix = configPrefix;
    this.keep = keep;
  }

  /**
   * The checkpoints of {@code train-prior}, in {@code <run dir>/prior-checkpoints/}; their config is the prior's
   * ({@code prior.*} and what it takes from the VQ-VAE).
   */
  public static Checkpoints prior(HadoopFiles files, String runDir, int keep) {
    return new Checkpoints(files, runDir, "prior-checkpoints", "prior", keep);
  }

  /** The prefix of the config keys that {@link #modelChanges} names: {@code model} or {@code prior}. */
  public String configPrefix() {
    return configPrefix;
  }

  public String dir() {
    return dir;
  }

  /**
   * The model config as JSON, for hashing and for naming what changed; a VAE's leaves out the unused
   * {@code vqvae} block, and every model's leaves out {@code latent-prior}: the mixture is fitted after training
   * and is no part of the network, so changing it (or a checkpoint from before it existed) never stops a resume.
   */
  public static JsonNode modelConfigJson(ModelConfig model) {
    ObjectNode json = JSON.valueToTree(model);
    json.remove("latentPrior");
    if (!ModelConfig.VQVAE.equals(model.type())) {
      json.remove("vqvae");
    }
    return json;
  }

  /** SHA-256 (hex) of the canonical JSON of the model config. */
  public static String hash(JsonNode modelConfig) {
    return Hashes.sha256(modelConfig);
  }

  /** Writes a checkpoint atomically, then deletes all but the newest {@code keep}; returns its path. */
  public String save(State state, byte[] modelZip) {
    String name = String.format("epoch-%06d", state.epoch());
    String tmp = HadoopFiles.child(dir, "." + name + ".tmp-" + UUID.randomUUID());
    ObjectNode json = JSON.createObjectNode();
    json.put("epoch", state.epoch());
    json.put("iteration", state.iteration());
    json.put("seed", state.seed());
    json.put("model_config_hash", state.modelConfigHash());
    json.set("model_config", state.modelConfig());
    json.put("model_sha256", Hashes.sha256(modelZip));
    json.put("model_bytes", modelZip.length);
    json.putPOJO("metrics", state.metrics());
    try {
      files.mkdirs(tmp);
      files.writeAtomically(HadoopFiles.child(tmp, "model.zip"), modelZip);
      files.writeString(HadoopFiles.child(tmp, "state.json"), JSON.writeValueAsString(json));
      String target = HadoopFiles.child(dir, name);
      files.replace(tmp, target);
      prune();
      return target;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    } finally {
      if (files.exists(tmp)) {
        files.delete(tmp);
      }
    }
  }

  /** Names of the committed checkpoints, oldest first. */
  public List<String> names() {
    if (!files.isDirectory(dir)) {
      return List.of();
    }
    return files.list(dir).stream().filter(n -> NAME.matcher(n).matches()).toList();
  }

  /**
   * Deletes all but the newest {@code keep} checkpoints, and the temporary folders of checkpoints whose writer was
   * killed before its rename (one run writes its checkpoints at a time, and this one's is committed by now).
   */
  private void prune() {
    List<String> names = names();
    for (int i = 0; i < names.size() - keep; i++) {
      files.delete(HadoopFiles.child(dir, names.get(i)));
    }
    files.list(dir).stream().filter(n -> UNFINISHED.matcher(n).matches())
        .forEach(n -> files.delete(HadoopFiles.child(dir, n)));
  }

  /**
   * The newest checkpoint that reads back whole; each newer one that does not is reported to {@code warn}
   * with the reason and skipped.
   */
  public Optional<Loaded> newestValid(Consumer<String> warn) {
    List<String> names = new ArrayList<>(names());
    for (int i = names.size() - 1; i >= 0; i--) {
      String path = HadoopFiles.child(dir, names.get(i));
      try {
        return Optional.of(read(path));
      } catch (RuntimeException e) {
        warn.accept("skipping checkpoint " + files.qualify(path) + ": " + e.getMessage()
            + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
      }
    }
    return Optional.empty();
  }

  private Loaded read(String path) {
    String statePath = HadoopFiles.child(path, "state.json");
    String modelPath = HadoopFiles.child(path, "model.zip");
    if (!files.exists(statePath) || !files.exists(modelPath)) {
      throw new IllegalStateException("state.json or model.zip is missing");
    }
    JsonNode json;
    try {
      json = JSON.readTree(files.readString(statePath));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("state.json is not valid JSON (" + e.getOriginalMessage() + ")");
    }
    byte[] model = files.readBytes(modelPath);
    long expected = json.path("model_bytes").asLong(-1);
    if (model.length != expected) {
      throw new IllegalStateException("model.zip has " + model.length + " bytes, state.json says " + expected);
    }
    if (!Hashes.sha256(model).equals(json.path("model_sha256").asText())) {
      throw new IllegalStateException("model.zip does not match the SHA-256 in state.json");
    }
    List<String> metrics = new ArrayList<>();
    json.path("metrics").forEach(n -> metrics.add(n.asText()));
    State state = new State(json.path("epoch").asInt(), json.path("iteration").asLong(),
        json.path("seed").asLong(), json.path("model_config_hash").asText(), json.path("model_config"), metrics);
    return new Loaded(path, state, model);
  }

  /**
   * The model-config differences between the newest checkpoint (its {@code state.json} only; the model is not
   * read) and {@code now}: empty when they match or there is no readable checkpoint. For the check before Spark
   * starts; resuming verifies the checkpoint fully.
   */
  public List<String> modelChanges(JsonNode now) {
    List<String> names = names();
    if (names.isEmpty()) {
      return List.of();
    }
    String state = HadoopFiles.child(HadoopFiles.child(dir, names.get(names.size() - 1)), "state.json");
    try {
      return differences(configPrefix, JSON.readTree(files.readString(state)).path("model_config"), now);
    } catch (JsonProcessingException | RuntimeException e) {
      return List.of(); // unreadable: resume skips it with a warning and checks the one before
    }
  }

  /**
   * The model-config keys whose values differ between a checkpoint and now, as lines
   * {@code model.key: checkpoint X, now Y} (config names, e.g. {@code latent-dim}); empty when they match.
   */
  public static List<String> differences(JsonNode checkpoint, JsonNode now) {
    return differences("model", checkpoint, now);
  }

  /** As {@link #differences(JsonNode, JsonNode)}, the keys named under {@code prefix}. */
  public static List<String> differences(String prefix, JsonNode checkpoint, JsonNode now) {
    List<String> out = new ArrayList<>();
    diff(prefix, withoutLatentPrior(checkpoint), withoutLatentPrior(now), out);
    return out;
  }

  /** A copy without {@code latentPrior}, which checkpoints written by 901e4e0 .. 26c5710 still hold. */
  private static JsonNode withoutLatentPrior(JsonNode modelConfig) {
    if (modelConfig == null || !modelConfig.isObject() || !modelConfig.has("latentPrior")) {
      return modelConfig;
    }
    ObjectNode copy = ((ObjectNode) modelConfig).deepCopy();
    copy.remove("latentPrior");
    return copy;
  }

  private static void diff(String prefix, JsonNode a, JsonNode b, List<String> out) {
    if (a != null && b != null && a.isObject() && b.isObject()) {
      TreeSet<String> keys = new TreeSet<>();
      a.fieldNames().forEachRemaining(keys::add);
      b.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        diff(prefix + "." + kebab(k), a.get(k), b.get(k), out);
      }
    } else if (a == null || !a.equals(b)) {
      out.add(prefix + ": checkpoint " + (a == null ? "(absent)" : a) + ", now " + (b == null ? "(absent)" : b));
    }
  }

  /** latentDim → latent-dim, the spelling of the config file. */
  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

}
