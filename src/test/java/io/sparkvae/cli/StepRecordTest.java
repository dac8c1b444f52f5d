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
