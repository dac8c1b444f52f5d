package io.sparkvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvae.config.AppConfig;
import io.sparkvae.config.ConfigLoader;
import io.sparkvae.data.synthetic.ShapesGenerator;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A finished step counts as this one only under the same configuration (and, for synthetic data, generator). */
class StepRecordTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static AppConfig config(Path dir, String... sets) {
    List<String> all = new java.util.ArrayList<>(List.of("output-root=" + dir.resolve("out")));
    all.addAll(List.of(sets));
    return AppConfig.from(ConfigLoader.load(null, all));
  }

  @Test
  void aSucceededStepIsFinishedForTheSameConfigurationOnly(@TempDir Path dir) {
    AppConfig config = config(dir);
    StepRecord record = new StepRecord(HadoopFiles.local(), config, "prepare");
    record.started("3.5.7");
    record.succeeded("3.5.7");
    assertTrue(new StepRecord(HadoopFiles.local(), config, "prepare").finishedWithSameConfig().isPresent());
    assertTrue(new StepRecord(HadoopFiles.local(), config(dir, "data.synthetic.count=500"), "prepare")
        .finishedWithSameConfig().isEmpty());
  }

  @Test
  void aSucceededStepWhoseOutputWasDeletedRunsAgain(@TempDir Path dir) throws Exception {
    AppConfig config = config(dir);
    StepRecord record = new StepRecord(HadoopFiles.local(), config, "prepare");
    record.started("3.5.7");
    record.succeeded("3.5.7");
    Path prepared = Files.createDirectories(Path.of(config.data().prepared()));
    assertTrue(StepRecord.noOpSince(HadoopFiles.local(), config, "prepare", false).isPresent());
    assertTrue(StepRecord.noOpSince(HadoopFiles.local(), config, "prepare", true).isEmpty(), "--overwrite");
    Files.delete(prepared);
    assertTrue(StepRecord.noOpSince(HadoopFiles.local(), config, "prepare", false).isEmpty(),
        "the prepared dataset is gone: prepare runs again");
  }

  /**
   * The prepared dataset is shared by runs: once another run has prepared other data there, this run's prepare is
   * no longer done; once the same data is back, it is again. A record from before stamps is taken as it is.
   */
  @Test
  void aPrepareIsDoneOnlyWhileItsDatasetIsTheOneItLeft(@TempDir Path dir) throws Exception {
    AppConfig config = config(dir);
    Path summary = Files.createDirectories(Path.of(config.data().prepared())).resolve("_dataset.json");
    Files.writeString(summary, "{\"counts\": {\"train\": 700}}\n");
    HadoopFiles files = HadoopFiles.local();
    StepRecord record = new StepRecord(files, config, "prepare");
    record.started("3.5.7");
    record.succeeded("3.5.7");
    assertEquals(Hashes.sha256(Files.readAllBytes(summary)),
        JSON.readTree(files.readString(record.runJson())).get("output_stamp").asText());
    assertTrue(StepRecord.noOpSince(files, config, "prepare", false).isPresent());
    Files.writeString(summary, "{\"counts\": {\"train\": 900}}\n");
    assertTrue(StepRecord.noOpSince(files, config, "prepare", false).isEmpty(), "another run's dataset");
    Files.writeString(summary, "{\"counts\": {\"train\": 700}}\n");
    assertTrue(StepRecord.noOpSince(files, config, "prepare", false).isPresent(), "the same data again");
    ObjectNode json = (ObjectNode) JSON.readTree(files.readString(record.runJson()));
    json.remove("output_stamp");
    files.writeAtomically(record.runJson(), JSON.writeValueAsBytes(json));
    Files.writeString(summary, "{\"counts\": {\"train\": 900}}\n");
    assertTrue(StepRecord.noOpSince(files, config, "prepare", false).isPresent(), "a record without a stamp");
    // steps whose outputs are the run's own keep no stamp
    StepRecord train = new StepRecord(files, config, "train");
    train.started("3.5.7");
    train.succeeded("3.5.7");
    assertTrue(JSON.readTree(files.readString(train.runJson())).path("output_stamp").isMissingNode());
  }

  /**
   * run.json names what each input was: sample's model.zip by size and SHA-256, train's prepared dataset by its
   * summary's; a dataset prepared again before a retry of train is reported.
   */
  @Test
  void theRecordSaysWhatTheInputsWere(@TempDir Path dir) throws Exception {
    AppConfig config = config(dir);
    HadoopFiles files = HadoopFiles.local();
    Path summary = Files.createDirectories(Path.of(config.data().prepared())).resolve("_dataset.json");
    Files.writeString(summary, "{\"counts\": {\"train\": 700}}\n");
    StepRecord train = new StepRecord(files, config, "train");
    train.started("3.5.7");
    train.failed("3.5.7", "lost the driver");
    JsonNode dataset = JSON.readTree(files.readString(train.runJson())).get("inputs")
        .get(files.qualify(config.data().prepared()));
    assertEquals("_dataset.json", dataset.get("summary").asText());
    assertEquals(Hashes.sha256(Files.readAllBytes(summary)), dataset.get("sha256").asText());
    assertTrue(train.inputChanges().isEmpty());

    Files.writeString(summary, "{\"counts\": {\"train\": 900}}\n");
    StepRecord retry = new StepRecord(files, config, "train");
    retry.started("3.5.7");
    assertEquals(List.of("train: its input " + files.qualify(config.data().prepared()) + " changed since the "
        + "previous attempt of run " + config.runId() + " (SHA-256 " + dataset.get("sha256").asText().substring(0, 12)
        + "… then, " + Hashes.sha256(Files.readAllBytes(summary)).substring(0, 12) + "… now)"),
        retry.inputChanges());

    Path model = Files.createDirectories(Path.of(config.runDir())).resolve("model.zip");
    Files.write(model, new byte[] {1, 2, 3});
    StepRecord sample = new StepRecord(files, config(dir, "sample.vae-prior=standard"), "sample");
    sample.started("3.5.7");
    sample.succeeded("3.5.7");
    JsonNode inputs = JSON.readTree(files.readString(sample.runJson())).get("inputs");
    assertEquals(1, inputs.size(), inputs.toString());
    JsonNode zip = inputs.get(files.qualify(model.toString()));
    assertEquals(3, zip.get("bytes").asInt());
    assertEquals(Hashes.sha256(new byte[] {1, 2, 3}), zip.get("sha256").asText());
  }

  /** Runs {@code command}'s record to success, then rewrites its hash as records before the generator rule had it. */
  private static void succeededWithConfigOnlyHash(AppConfig config, String command) throws Exception {
    StepRecord record = new StepRecord(HadoopFiles.local(), config, command);
    record.started("3.5.7");
    record.succeeded("3.5.7");
    HadoopFiles files = HadoopFiles.local();
    ObjectNode json = (ObjectNode) JSON.readTree(files.readString(record.runJson()));
    json.put("config_hash", Hashes.sha256((JsonNode) JSON.valueToTree(config)));
    files.writeAtomically(record.runJson(), JSON.writeValueAsBytes(json)); // through Hadoop: its checksum too
  }

  @Test
  void aSyntheticPrepareUnderAnotherGeneratorIsNotFinished(@TempDir Path dir) throws Exception {
    AppConfig config = config(dir);
    // the same configuration hashed without the generator: still the same train step ...
    succeededWithConfigOnlyHash(config, "train");
    assertTrue(new StepRecord(HadoopFiles.local(), config, "train").finishedWithSameConfig().isPresent());
    // ... but a prepare that may have drawn other images
    succeededWithConfigOnlyHash(config, "prepare");
    assertTrue(new StepRecord(HadoopFiles.local(), config, "prepare").finishedWithSameConfig().isEmpty());
  }

  @Test
  void onlyASyntheticPrepareHashesTheGeneratorVersion(@TempDir Path dir) {
    AppConfig config = config(dir);
    JsonNode plain = JSON.valueToTree(config);
    JsonNode prepare = StepRecord.hashed(plain, config, "prepare");
    assertEquals(ShapesGenerator.VERSION, prepare.path("generator").asText());
    assertNotEquals(Hashes.sha256(plain), Hashes.sha256(prepare));
    assertEquals(plain, StepRecord.hashed(plain, config, "train"));
    AppConfig cifar = config(dir, "data.dataset=cifar10", "data.input=" + dir.resolve("raw"));
    JsonNode cifarJson = JSON.valueToTree(cifar);
    assertEquals(cifarJson, StepRecord.hashed(cifarJson, cifar, "prepare"));
  }
}
