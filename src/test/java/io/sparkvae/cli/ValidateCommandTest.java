package io.sparkvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.config.AppConfig;
import io.sparkvae.config.ConfigLoader;
import io.sparkvae.io.HadoopFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code validate}: the checks of a command or pipeline, exit code 0 or 2, never Spark, never a file written. */
class ValidateCommandTest {
  @TempDir Path root;

  private MainRun run(String... args) {
    return MainRun.of(args);
  }

  private List<Path> filesUnderRoot() throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.sorted().toList();
    }
  }

  /** A prepared dataset as far as the pre-flight checks look: the folder and its summary. */
  private Path fakePreparedDataset() throws Exception {
    Path prepared = Files.createDirectories(root.resolve("prepared"));
    Files.writeString(prepared.resolve("_dataset.json"), "{ \"height\" : 32, \"width\" : 32, \"channels\" : 3 }");
    return prepared;
  }

  @Test
  void validConfigExitsZeroWithASummaryAndWritesNothing() throws Exception {
    Path prepared = fakePreparedDataset();
    List<Path> before = filesUnderRoot();
    boolean sparkBefore = SparkSession.getDefaultSession().isDefined();
    MainRun r = run("validate", "train", "--config", "conf/cifar10-vae.conf", "--set", "run-id=20261123",
        "--set", "output-root=" + root);
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.err());
    assertTrue(r.out().startsWith("validate: train may run"), r.out());
    assertTrue(r.out().contains("run id       20261123"), r.out());
    assertTrue(r.out().contains("reads  file:" + prepared), r.out());
    assertTrue(r.out().contains("writes file:" + root.resolve("runs/20261123/model.zip")), r.out());
    assertEquals(before, filesUnderRoot(), "nothing written");
    assertEquals(sparkBefore, SparkSession.getDefaultSession().isDefined(), "Spark not started");
  }

  @Test
  void unknownKeyIsReportedWithItsSuggestion() throws Exception {
    fakePreparedDataset();
    List<Path> before = filesUnderRoot();
    MainRun r = run("validate", "train", "--set", "output-root=" + root, "--set", "train.epoch=3");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("error: train cannot start, invalid configuration:"), r.err());
    assertTrue(r.err().contains("unknown key 'train.epoch' (did you mean 'train.epochs'?)"), r.err());
    assertEquals("", r.out());
    assertEquals(before, filesUnderRoot());
  }

  @Test
  void missingInputIsReported() throws Exception {
    MainRun r = run("validate", "train", "--set", "output-root=" + root);
    assertEquals(2, r.code());
    assertTrue(r.err().contains("data.prepared: no prepared dataset at " + root + "/prepared"), r.err());
    MainRun sample = run("validate", "sample", "--set", "output-root=" + root, "--set", "run-id=r7");
    assertEquals(2, sample.code());
    assertTrue(sample.err().contains("run r7 has no model at " + root + "/runs/r7/model.zip"), sample.err());
    assertEquals(0, filesUnderRoot().size() - 1);
  }

  @Test
  void barrierAveragingNeedsASlotPerWorker() throws Exception {
    fakePreparedDataset();
    MainRun r = run("validate", "train", "--set", "output-root=" + root, "--set", "spark.master=local[2]",
        "--set", "train.workers=3");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("train.workers: 3 workers need 3 task slots at once with train.averaging = barrier, "
        + "and local[2] has 2 (lower train.workers, raise N in local[N], or set train.averaging = dl4j-spark)"),
        r.err());
    assertEquals(0, run("validate", "train", "--set", "output-root=" + root, "--set", "spark.master=local[2]",
        "--set", "train.workers=3", "--set", "train.averaging=dl4j-spark").code());
    assertEquals(0, run("validate", "train", "--set", "output-root=" + root, "--set", "spark.master=local[4,2]",
        "--set", "train.workers=3").code());
    assertTrue(io.sparkvae.train.ParameterAveraging.barrierProblem(
        new io.sparkvae.config.TrainConfig(1, 2, 8, 5, true, "barrier", "direct", "", 0, 1e-3, "constant", 1, 0, 0,
            io.sparkvae.config.CheckpointConfig.DEFAULT, 0, true), "yarn", true).orElseThrow()
        .contains("does not run with spark.dynamicAllocation.enabled = true"));
  }

  @Test
  void unknownCommandAfterValidate() {
    MainRun r = run("validate", "fly", "--set", "output-root=" + root);
    assertEquals(2, r.code());
    assertTrue(r.err().contains("error: unknown command 'fly'"), r.err());
    assertTrue(r.err().contains("usage: spark-vae validate"), r.err());
    assertTrue(run("validate", "train,fly").err().contains("unknown command 'fly'"));
    assertTrue(run("validate", "validate").err().contains("unknown command 'validate'"));
    assertTrue(run("validate", "train,train").err().contains("'train' is listed twice"));
    assertEquals(2, run("validate", "train", "--sett", "x=1").code());
  }

  @Test
  void pipelineNeedsOnlyTheInputsNoEarlierStepWrites() throws Exception {
    String out = "output-root=" + root;
    // synthetic prepare reads nothing; train's dataset and sample's model are written by earlier steps
    MainRun all = run("validate", "prepare,train,sample", "--set", out);
    assertEquals(0, all.code(), all.err());
    assertTrue(all.out().contains("reads  file:" + root + "/prepared  (written by prepare)"), all.out());
    assertTrue(all.out().contains("reads  file:" + root + "/runs/local/model.zip  (written by train)"), all.out());
    assertEquals(1, filesUnderRoot().size(), "nothing written");
    // without prepare the prepared dataset must exist; sample's model is still train's
    MainRun noPrepare = run("validate", "train,sample", "--set", out);
    assertEquals(2, noPrepare.code());
    assertTrue(noPrepare.err().contains("  - train: data.prepared: no prepared dataset at " + root + "/prepared"),
        noPrepare.err());
    assertFalse(noPrepare.err().contains("sample:"), noPrepare.err());
    // prepare's raw input is never written by anyone: it must exist
    MainRun cifar = run("validate", "prepare,train", "--set", out, "--dataset", "cifar10",
        "--input", root + "/raw");
    assertEquals(2, cifar.code());
    assertTrue(cifar.err().contains("prepare: data.input: " + root + "/raw does not exist"), cifar.err());
    fakePreparedDataset();
    assertEquals(0, run("validate", "train,sample", "--set", out).code());
    MainRun vq = run("validate", "train,encode,train-prior,sample", "--set", out, "--set", "model.type=vqvae");
    assertEquals(0, vq.code(), vq.err());
    assertTrue(vq.out().contains("reads  file:" + root + "/runs/local/prior.zip  (written by train-prior)"),
        vq.out());
    MainRun vqSample = run("validate", "sample", "--set", out, "--set", "model.type=vqvae");
    assertEquals(2, vqSample.code());
    assertTrue(vqSample.err().contains("has no model") && vqSample.err().contains("has no prior"), vqSample.err());
    MainRun vaeSample = run("validate", "sample", "--set", out);
    assertEquals(2, vaeSample.code());
    assertTrue(vaeSample.err().contains("has no model") && vaeSample.err().contains("has no latent prior"),
        vaeSample.err());
    assertEquals(0, run("validate", "train,sample", "--set", out).code());
    MainRun noMixture = run("validate", "train,sample", "--set", out, "--set", "model.latent-prior.components=[0]");
    assertEquals(2, noMixture.code());
    assertTrue(noMixture.err().contains("sample: run local has no latent prior"), noMixture.err());
  }

  @Test
  void existingOutputIsReportedUnlessOverwrite() throws Exception {
    fakePreparedDataset();
    Path run = Files.createDirectories(root.resolve("runs/r1"));
    Files.writeString(run.resolve("model.zip"), "old");
    Files.writeString(run.resolve("latent-prior.json"), "{}");
    // (train resumes from its checkpoints instead; samples are replaced only on request)
    Files.createDirectories(run.resolve("samples"));
    MainRun r = run("validate", "sample", "--set", "output-root=" + root, "--set", "run-id=r1");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("samples already exist at"), r.err());
    assertEquals(0, run("validate", "sample", "--set", "output-root=" + root, "--set", "run-id=r1",
        "--overwrite").code());
    assertEquals("old", Files.readString(run.resolve("model.zip")));
  }

  @Test
  void configOnlyLooksAtNoFileButChecksEveryValue() throws Exception {
    MainRun r = run("validate", "--config-only", "prepare,train,sample", "--config", "conf/cifar10-vae.conf",
        "--set", "output-root=" + root + "/nowhere");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("configuration ok (--config-only: inputs and outputs not checked)"), r.out());
    assertTrue(r.out().contains("reads  data/raw/cifar10"), r.out());
    MainRun bad = run("validate", "train", "--config-only", "--set", "model.beta=-1");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("model.beta: -1.0 is out of range"), bad.err());
    MainRun missing = run("validate", "train", "--config-only", "--config", root + "/none.conf");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("--config: file not found"), missing.err());
    assertEquals(1, filesUnderRoot().size());
  }

  @Test
  void helpAndUsage() {
    MainRun help = run("validate", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().startsWith("usage: spark-vae validate <command>[,<command>...] [--config-only]"),
        help.out());
    assertTrue(help.out().contains("--config-only") && help.out().contains("prepare,train,sample"), help.out());
    assertEquals(0, run("validate", "train", "--help").code());
    MainRun none = run("validate");
    assertEquals(2, none.code());
    assertTrue(none.err().contains("error: validate needs the command to check"), none.err());
    assertTrue(none.err().contains("usage: spark-vae validate"), none.err());
    assertEquals(2, run("validate", "--config-only").code());
    assertTrue(run("--help").out().contains("validate"), "the command list names validate");
  }

  @Test
  void aStepThatAlreadySucceededIsReportedAsANoOpNotAsExistingOutput() throws Exception {
    // a prepare that succeeded with this configuration: its output is there and so is its step record
    String[] sets = {"--set", "output-root=" + root, "--set", "run-id=done"};
    AppConfig config = AppConfig.from(ConfigLoader.load(null, List.of("output-root=" + root, "run-id=done")));
    fakePreparedDataset();
    StepRecord record = new StepRecord(HadoopFiles.local(), config, "prepare");
    record.started("3.5.7");
    record.succeeded("3.5.7");
    List<Path> before = filesUnderRoot();
    MainRun r = run(Stream.concat(Stream.of("validate", "prepare"), Stream.of(sets)).toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("prepare      already succeeded with this configuration"), r.out());
    assertEquals(before, filesUnderRoot(), "nothing written");
    // with --overwrite it would run, and the existing output is then fine too
    MainRun again = run(Stream.concat(Stream.of("validate", "prepare", "--overwrite"), Stream.of(sets))
        .toArray(String[]::new));
    assertEquals(0, again.code(), again.err());
    assertFalse(again.out().contains("already succeeded"), again.out());
    // another configuration is another prepare: the existing output is a problem again
    MainRun other = run(Stream.concat(Stream.of("validate", "prepare", "--set", "data.synthetic.count=500"),
        Stream.of(sets)).toArray(String[]::new));
    assertEquals(2, other.code(), other.out());
    assertTrue(other.err().contains("--overwrite"), other.err());
  }
}
