package io.sparkvae.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @Test
  void defaultsLoadAndValidate() {
    AppConfig c = AppConfig.from(ConfigLoader.load(null, List.of()));
    assertEquals("local", c.runId());
    assertEquals(6, c.train().epochs());
    assertEquals("out/local/prepared", c.data().prepared());
    assertEquals("out/local/runs/local", c.runDir());
  }

  @Test
  void overridesWinAndSubstitutionsFollowThem() {
    AppConfig c = AppConfig.from(ConfigLoader.load(null,
        List.of("train.epochs=3", "output-root=hdfs://nn:8020/vae", "model.encoder-channels=[8,16]")));
    assertEquals(3, c.train().epochs());
    assertEquals("hdfs://nn:8020/vae/prepared", c.data().prepared());
    assertEquals(16, c.model().encoderChannels()[1]);
  }

  @Test
  void fileIsMergedUnderOverrides(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("my.conf");
    Files.writeString(f, "train { epochs = 9, workers = 3 }\nrun-id = \"x1\"\n");
    AppConfig c = AppConfig.from(ConfigLoader.load(f.toString(), List.of("train.epochs=4")));
    assertEquals(4, c.train().epochs());
    assertEquals(3, c.train().workers());
    assertEquals("x1", c.runId());
  }

  @Test
  void unknownKeysAreAllReportedWithSuggestions() {
    ConfigProblems e = assertThrows(ConfigProblems.class,
        () -> ConfigLoader.load(null, List.of("train.epoch=3", "nonsense.key=1")));
    assertEquals(2, e.problems().size());
    assertTrue(e.problems().contains("unknown key 'train.epoch' (did you mean 'train.epochs'?)"),
        e.getMessage());
    assertTrue(e.problems().contains("unknown key 'nonsense.key'"), e.getMessage());
  }

  @Test
  void wrongTypesAndRangesAreReportedTogether() {
    ConfigProblems e = assertThrows(ConfigProblems.class, () -> AppConfig.from(ConfigLoader.load(null,
        List.of("train.epochs=-1", "train.workers=two", "model.likelihood=laplace",
            "model.logvar-min=5", "model.logvar-max=1", "run-id=\"a b\""))));
    String all = String.join("\n", e.problems());
    assertTrue(all.contains("train.epochs: -1 must be at least 1"), all);
    assertTrue(all.contains("train.workers: expected an integer"), all);
    assertTrue(all.contains("model.likelihood: 'laplace' is not one of gaussian, bernoulli"), all);
    assertTrue(all.contains("model.logvar-min (5.0) must be below model.logvar-max (1.0)"), all);
    assertTrue(all.contains("run-id: 'a b'"), all);
  }

  @Test
  void learningRateScheduleConstantOrCosine() {
    TrainConfig constant = AppConfig.from(ConfigLoader.load(null,
        List.of("train.epochs=10", "train.learning-rate=0.004"))).train();
    assertEquals(0.004, constant.learningRate(0), 1e-12);
    assertEquals(0.004, constant.learningRate(9), 1e-12);
    TrainConfig cosine = AppConfig.from(ConfigLoader.load(null, List.of("train.epochs=10",
        "train.learning-rate=0.004", "train.learning-rate-schedule=cosine"))).train();
    assertEquals(0.004, cosine.learningRate(0), 1e-12); // the full rate first
    assertEquals(0.002, cosine.learningRate(5), 1e-12); // half way down at half the epochs
    assertEquals(0.004 * 0.5 * (1 + Math.cos(Math.PI * 0.8)), cosine.learningRate(8), 1e-12);
    assertEquals(0.004 * TrainConfig.COSINE_FLOOR, cosine.learningRate(9), 1e-12); // 2.4% by the cosine: floored
    for (int e = 1; e < 10; e++) {
      assertTrue(cosine.learningRate(e) < cosine.learningRate(e - 1), "falls every epoch: " + e);
    }
    ConfigProblems e = assertThrows(ConfigProblems.class, () -> AppConfig.from(ConfigLoader.load(null,
        List.of("train.learning-rate-schedule=linear"))));
    assertTrue(e.problems().contains("train.learning-rate-schedule: 'linear' is not one of constant, cosine"),
        e.getMessage());
  }

  @Test
  void missingConfigFileAndMalformedOverride() {
    ConfigProblems e = assertThrows(ConfigProblems.class,
        () -> ConfigLoader.load("/no/such/file.conf", List.of("novalue")));
    String all = String.join("\n", e.problems());
    assertTrue(all.contains("--config: file not found: /no/such/file.conf"), all);
    assertTrue(all.contains("--set novalue: expected key=value"), all);
  }

  @Test
  void everyReferenceKeyHasAComment() throws Exception {
    String text = new String(ConfigLoader.class.getResourceAsStream("/reference.conf").readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    var parsed = ConfigFactory.parseString(text).getConfig(ConfigLoader.ROOT);
    for (var e : parsed.entrySet()) {
      List<String> comments = e.getValue().origin().comments();
      assertTrue(!comments.isEmpty(), "reference.conf key without a comment: " + e.getKey());
    }
  }

  @Test
  void everyShippedConfigLoadsWithoutProblems() throws Exception {
    List<Path> confs;
    try (var files = java.nio.file.Files.list(Path.of("conf"))) {
      confs = files.filter(f -> f.toString().endsWith(".conf")).sorted().toList();
    }
    assertTrue(confs.size() >= 6, "conf/ holds the local, cifar10 and celeba configs: " + confs);
    for (Path conf : confs) {
      AppConfig c = AppConfig.from(ConfigLoader.load(conf.toString(), List.of()));
      assertTrue(c.train().epochs() > 0, conf.toString());
    }
  }
}
