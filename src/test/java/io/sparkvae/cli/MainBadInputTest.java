package io.sparkvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input never starts Spark: exit code 2, a message naming the problem, nothing written. */
class MainBadInputTest {
  @TempDir Path root;

  private MainRun run(String... args) {
    return MainRun.of(args);
  }

  private long filesUnderRoot() throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.count() - 1;
    }
  }

  @Test
  void unknownConfigKey() throws Exception {
    MainRun r = run("prepare", "--set", "output-root=" + root, "--set", "data.synthetic.cont=10");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown key 'data.synthetic.cont' (did you mean 'data.synthetic.count'?)"),
        r.err());
    assertEquals(0, filesUnderRoot());
  }

  @Test
  void negativeEpochs() throws Exception {
    MainRun r = run("train", "--set", "output-root=" + root, "--set", "train.epochs=-2");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("train.epochs: -2 must be at least 1"), r.err());
    assertEquals(0, filesUnderRoot());
  }

  @Test
  void missingDatasetPath() throws Exception {
    MainRun r = run("train", "--set", "output-root=" + root, "--set", "data.prepared=" + root + "/nope");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("data.prepared: no prepared dataset at " + root + "/nope"), r.err());
    assertEquals(0, filesUnderRoot());
  }

  @Test
  void existingOutputIsRefusedAndUntouched() throws Exception {
    Path prepared = Files.createDirectories(root.resolve("prepared"));
    Files.writeString(prepared.resolve("keep.txt"), "mine");
    MainRun r = run("prepare", "--set", "output-root=" + root);
    assertEquals(2, r.code());
    assertTrue(r.err().contains("already exists (pass --overwrite to replace it)"), r.err());
    assertEquals("mine", Files.readString(prepared.resolve("keep.txt")));
    assertEquals(2, filesUnderRoot());
  }

  @Test
  void modelWhoseHalvingsDoNotFitTheImagesIsRefusedBeforeSpark() throws Exception {
    Path prepared = Files.createDirectories(root.resolve("prepared"));
    Files.writeString(prepared.resolve("_dataset.json"), "{ \"height\" : 40, \"width\" : 40, \"channels\" : 3 }");
    MainRun vae = run("train", "--set", "output-root=" + root, "--set", "model.encoder-channels=[8,16,32,64,128]");
    assertEquals(2, vae.code());
    assertTrue(vae.err().contains("model.encoder-channels: 5 stride-2 layers need images whose sides divide by 32, "
        + "but " + prepared + " holds 40x40 images"), vae.err());
    MainRun vq = run("train", "--set", "output-root=" + root, "--set", "model.type=vqvae",
        "--set", "model.vqvae.downsamplings=4");
    assertEquals(2, vq.code());
    assertTrue(vq.err().contains("model.vqvae.downsamplings: 4 stride-2 layers need images whose sides divide by 16"),
        vq.err());
    assertEquals(0, run("train", "--help").code());
    assertEquals(2, filesUnderRoot(), "nothing written beside the fake dataset");
  }

  @Test
  void missingModelForSampling() throws Exception {
    MainRun r = run("sample", "--set", "output-root=" + root, "--set", "run-id=r7");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("run r7 has no model at " + root + "/runs/r7/model.zip"), r.err());
  }

  @Test
  void allProblemsAtOnce() {
    MainRun r = run("train", "--set", "output-root=" + root, "--set", "train.epochs=0",
        "--set", "sample.count=0", "--set", "model.beta=-1", "--set", "data.prepared=" + root + "/nope",
        "--set", "train.learning-rate=fast", "--set", "train.epoch=3");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("train.epochs") && r.err().contains("sample.count")
        && r.err().contains("model.beta"), r.err());
    assertTrue(r.err().contains("unknown key 'train.epoch' (did you mean 'train.epochs'?)")
        && r.err().contains("train.learning-rate: expected a number"),
        "an unknown key is reported together with wrong types and values: " + r.err());
    assertTrue(r.err().contains("data.prepared: no prepared dataset at " + root + "/nope"),
        "a missing input is reported together with bad values: " + r.err());
  }

  @Test
  void usageErrorsAndHelp() {
    assertEquals(2, run("fly").code());
    assertTrue(run("fly").err().contains("unknown command 'fly'"));
    assertEquals(2, run("train", "--config").code());
    MainRun help = run("train", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("usage: spark-vae train"), help.out());
    assertTrue(run("--help").out().contains("prepare"));
  }
}
