package io.sparkvae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkvae.cli.MainRun;
import io.sparkvae.e2e.JsonLines;
import io.sparkvae.e2e.TinyVaeRun;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.model.vae.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints, resume, in-job retry, the divergence guard and a changed model config, on tiny data in Spark
 * local mode: one run-id trained in steps, as a scheduler's retries and a user's reruns would.
 */
class TrainFaultToleranceTest {
  @TempDir Path root;

  @AfterEach
  void noFault() {
    VaeTraining.beforeEpoch = null;
  }

  private MainRun run(String command, String... extra) {
    List<String> a = TinyVaeRun.args(command, root.toString(), "ft");
    a.addAll(List.of(extra));
    MainRun r = MainRun.of(a);
    System.err.print(r.err());
    return r;
  }

  private Path run() {
    return root.resolve("runs/ft");
  }

  private List<Integer> metricEpochs() throws Exception {
    return JsonLines.epochs(run().resolve("metrics.jsonl"));
  }

  private List<String> checkpoints() {
    return new Checkpoints(HadoopFiles.local(), run().toString(), 2).names();
  }

  @Test
  void resumesRetriesRefusesAndStopsOnDivergence() throws Exception {
    assertEquals(0, run("prepare").code());

    // two epochs, a checkpoint after each
    assertEquals(0, run("train", "--set", "train.epochs=2").code());
    assertEquals(List.of(1, 2), metricEpochs());
    assertEquals(List.of("epoch-000001", "epoch-000002"), checkpoints());

    // rerun with three epochs: resumes after epoch 2; epoch 3 fails once and is retried from that checkpoint
    AtomicInteger failures = new AtomicInteger();
    VaeTraining.beforeEpoch = (epoch, net) -> {
      assertTrue(epoch >= 3, "resumed runs never redo epochs 1-2, got epoch " + epoch);
      if (epoch == 3 && failures.getAndIncrement() == 0) {
        throw new IllegalStateException("injected: executor lost");
      }
    };
    assertEquals(0, run("train", "--set", "train.epochs=3").code());
    assertEquals(2, failures.get(), "epoch 3 ran twice: the failure, then the retry");
    assertEquals(List.of(1, 2, 3), metricEpochs());
    assertEquals(List.of("epoch-000002", "epoch-000003"), checkpoints());

    // the newest checkpoint is damaged: resume uses the one before, and redoes epoch 3 once
    Path zip = run().resolve("checkpoints/epoch-000003/model.zip");
    Files.write(zip, java.util.Arrays.copyOf(Files.readAllBytes(zip), 1000));
    Files.deleteIfExists(run().resolve("checkpoints/epoch-000003/.model.zip.crc"));
    List<Integer> ran = new ArrayList<>();
    VaeTraining.beforeEpoch = (epoch, net) -> ran.add(epoch);
    assertEquals(0, run("train", "--set", "train.epochs=4").code());
    assertEquals(List.of(3, 4), ran);
    assertEquals(List.of(1, 2, 3, 4), metricEpochs());
    assertEquals(List.of("epoch-000003", "epoch-000004"), checkpoints());

    // the finished run's model deleted since: the rerun is no no-op, trains nothing and restores the model from
    // the last checkpoint
    Files.delete(run().resolve("model.zip"));
    Files.deleteIfExists(run().resolve(".model.zip.crc"));
    ran.clear();
    assertEquals(0, run("train", "--set", "train.epochs=4").code());
    assertEquals(List.of(), ran);
    assertTrue(java.util.Arrays.equals(Files.readAllBytes(run().resolve("checkpoints/epoch-000004/model.zip")),
        Files.readAllBytes(run().resolve("model.zip"))));

    // a changed model is refused before Spark starts, naming the key; nothing is touched
    long modified = Files.getLastModifiedTime(run().resolve("metrics.jsonl")).toMillis();
    MainRun changed = run("train", "--set", "train.epochs=5", "--set", "model.latent-dim=4");
    assertEquals(2, changed.code());
    assertTrue(changed.err().contains("model.latent-dim: checkpoint 8, now 4"), changed.err());
    assertTrue(changed.err().contains("--fresh"), changed.err());
    assertEquals(modified, Files.getLastModifiedTime(run().resolve("metrics.jsonl")).toMillis());

    // an epoch that keeps failing: retried train.max-retries times, then a clear failure; checkpoints intact
    VaeTraining.beforeEpoch = (epoch, net) -> {
      throw new IllegalStateException("injected: every executor lost");
    };
    MainRun gaveUp = run("train", "--set", "train.epochs=5", "--set", "train.max-retries=1");
    assertEquals(1, gaveUp.code());
    assertTrue(gaveUp.err().contains("epoch 5 failed 2 time(s)"), gaveUp.err());
    assertTrue(gaveUp.err().contains("train.max-retries = 1"), gaveUp.err());
    assertEquals(List.of("epoch-000003", "epoch-000004"), checkpoints());
    JsonNode failed = runJson();
    assertEquals("failed", failed.path("status").asText());
    assertTrue(failed.path("error").asText().contains("failed 2 time(s)"), failed.toString());
    assertFalse(Files.exists(run().resolve("_steps/train/_SUCCESS")), "a failed step has no marker");

    // a NaN in the parameters (what an absurd learning rate leads to; this model's clamps make that slow):
    // the run stops naming epoch and iteration, and the last checkpoint stays good
    VaeTraining.beforeEpoch = (epoch, net) -> net.params().putScalar(0, Double.NaN);
    MainRun diverged = run("train", "--set", "train.epochs=5");
    VaeTraining.beforeEpoch = null;
    assertEquals(1, diverged.code());
    assertTrue(diverged.err().matches("(?s).*training diverged in epoch 5 \\(by iteration \\d+\\).*"),
        diverged.err());
    assertTrue(diverged.err().contains("epoch-000004"), diverged.err());
    assertEquals(List.of("epoch-000003", "epoch-000004"), checkpoints());
    Checkpoints.Loaded good = new Checkpoints(HadoopFiles.local(), run().toString(), 2)
        .newestValid(w -> { }).orElseThrow();
    assertEquals(4, good.state().epoch());
    assertTrue(Double.isFinite(ModelStore.fromBytes(good.modelZip()).graph().params().sumNumber().doubleValue()));
    assertEquals(List.of(1, 2, 3, 4), metricEpochs());

    // --fresh starts over
    assertEquals(0, run("train", "--set", "train.epochs=1", "--fresh").code());
    assertEquals(List.of(1), metricEpochs());
    assertEquals(List.of("epoch-000001"), checkpoints());
    JsonNode done = runJson();
    assertEquals("succeeded", done.path("status").asText());
    assertEquals("ft", done.path("run_id").asText());
    assertEquals(1, done.path("config").path("train").path("epochs").asInt(), done.toString());
    assertFalse(done.path("config").path("train").path("resume").asBoolean(), done.toString());
    for (String key : List.of("spark-vae", "git_commit", "spark", "dl4j", "java")) {
      assertFalse(done.path("versions").path(key).asText().isBlank(), key + " in " + done);
    }
    assertTrue(done.path("versions").path("git_commit").asText().matches("[0-9a-f]{40}|unknown"), done.toString());
    assertTrue(java.time.Instant.parse(done.path("end").asText())
        .isAfter(java.time.Instant.parse(done.path("start").asText())));
    assertTrue(Files.exists(run().resolve("_steps/train/_SUCCESS")));

    // a scheduler's retry of the finished step: a no-op that says so; --overwrite runs it again
    long finished = Files.getLastModifiedTime(run().resolve("metrics.jsonl")).toMillis();
    MainRun again = run("train", "--set", "train.epochs=1", "--fresh");
    assertEquals(0, again.code());
    assertTrue(again.out().contains("train of run ft already succeeded with this configuration"), again.out());
    assertEquals(finished, Files.getLastModifiedTime(run().resolve("metrics.jsonl")).toMillis());
    assertEquals(done, runJson());
    VaeTraining.beforeEpoch = (epoch, net) -> ran.add(-epoch);
    assertEquals(0, run("train", "--set", "train.epochs=1", "--fresh", "--overwrite").code());
    assertTrue(ran.contains(-1), "--overwrite trained again: " + ran);
  }

  private JsonNode runJson() throws Exception {
    return new ObjectMapper().readTree(Files.readString(run().resolve("_steps/train/run.json")));
  }
}
