package io.sparkvae.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.cli.MainRun;
import io.sparkvae.e2e.JsonLines;
import io.sparkvae.e2e.TinyVqRun;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.model.vae.ModelStore;
import io.sparkvae.train.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train-prior}'s checkpoints, resume, in-job retry, divergence guard, --overwrite and --fresh, and the
 * refusal of a checkpoint of another prior or of another VQ-VAE's codes, on one tiny VQ run in local mode.
 */
class TrainPriorFaultToleranceTest {
  @TempDir Path root;

  @AfterEach
  void noFault() {
    TrainPriorJob.beforeEpoch = null;
  }

  private MainRun run(String command, String... extra) {
    List<String> a = TinyVqRun.args(command, root.toString(), "pf");
    a.addAll(List.of(extra));
    MainRun r = MainRun.of(a);
    System.err.print(r.err());
    return r;
  }

  private Path run() {
    return root.resolve("runs/pf");
  }

  private List<Integer> priorEpochs() throws Exception {
    return JsonLines.epochs(run().resolve("prior-metrics.jsonl"));
  }

  private List<String> checkpoints() {
    return Checkpoints.prior(HadoopFiles.local(), run().toString(), 2).names();
  }

  @Test
  void resumesRetriesRefusesAndStopsOnDivergence() throws Exception {
    assertEquals(0, run("prepare").code());
    assertEquals(0, run("train", "--set", "train.epochs=1").code());
    assertEquals(0, run("encode").code());

    // one epoch, a checkpoint after it
    assertEquals(0, run("train-prior", "--set", "prior.epochs=1").code());
    assertEquals(List.of(1), priorEpochs());
    assertEquals(List.of("epoch-000001"), checkpoints());
    String first = Files.readAllLines(run().resolve("prior-metrics.jsonl")).get(0);

    // rerun to three epochs: resumes after epoch 1; epoch 2 fails once and is retried from that checkpoint
    AtomicInteger failures = new AtomicInteger();
    TrainPriorJob.beforeEpoch = (epoch, net) -> {
      assertTrue(epoch >= 2, "a resumed run never redoes epoch 1, got epoch " + epoch);
      if (epoch == 2 && failures.getAndIncrement() == 0) {
        throw new IllegalStateException("injected: executor lost");
      }
    };
    MainRun resumed = run("train-prior", "--set", "prior.epochs=3");
    assertEquals(0, resumed.code());
    assertEquals(2, failures.get(), "epoch 2 ran twice: the failure, then the retry");
    assertEquals(List.of(1, 2, 3), priorEpochs());
    assertEquals(first, Files.readAllLines(run().resolve("prior-metrics.jsonl")).get(0), "epoch 1 kept as it was");
    assertEquals(List.of("epoch-000002", "epoch-000003"), checkpoints());
    assertNotNull(ImageIO.read(run().resolve("plots/prior-nll.png").toFile()));

    // another prior architecture is refused before Spark starts, naming the key; nothing is touched
    long modified = Files.getLastModifiedTime(run().resolve("prior-metrics.jsonl")).toMillis();
    MainRun changed = run("train-prior", "--set", "prior.epochs=4", "--set", "prior.hidden-channels=4");
    assertEquals(2, changed.code());
    assertTrue(changed.err().contains("prior.hidden-channels: checkpoint 8, now 4"), changed.err());
    assertTrue(changed.err().contains("--fresh"), changed.err());
    assertEquals(modified, Files.getLastModifiedTime(run().resolve("prior-metrics.jsonl")).toMillis());

    // an epoch that keeps failing: retried train.max-retries times, then a clear failure; checkpoints intact
    TrainPriorJob.beforeEpoch = (epoch, net) -> {
      throw new IllegalStateException("injected: every executor lost");
    };
    MainRun gaveUp = run("train-prior", "--set", "prior.epochs=4", "--set", "train.max-retries=1");
    assertEquals(1, gaveUp.code());
    assertTrue(gaveUp.err().contains("train-prior: epoch 4 failed 2 time(s)"), gaveUp.err());
    assertTrue(gaveUp.err().contains("train.max-retries = 1"), gaveUp.err());
    assertEquals(List.of("epoch-000002", "epoch-000003"), checkpoints());

    // a NaN in the parameters: the run stops naming the epoch, the prior's learning rate and the last checkpoint
    TrainPriorJob.beforeEpoch = (epoch, net) -> net.params().putScalar(0, Double.NaN);
    MainRun diverged = run("train-prior", "--set", "prior.epochs=4");
    TrainPriorJob.beforeEpoch = null;
    assertEquals(1, diverged.code());
    assertTrue(diverged.err().contains("training diverged in epoch 4"), diverged.err());
    assertTrue(diverged.err().contains("prior.learning-rate"), diverged.err());
    assertTrue(diverged.err().contains("epoch-000003"), diverged.err());
    Checkpoints.Loaded good = Checkpoints.prior(HadoopFiles.local(), run().toString(), 2)
        .newestValid(w -> { }).orElseThrow();
    assertEquals(3, good.state().epoch());
    assertTrue(Double.isFinite(ModelStore.fromBytesAny(good.modelZip()).graph().params().sumNumber()
        .doubleValue()));
    assertEquals(List.of(1, 2, 3), priorEpochs());

    // --overwrite starts over: the prior, its metrics and its checkpoints go first
    List<Integer> ran = new ArrayList<>();
    TrainPriorJob.beforeEpoch = (epoch, net) -> ran.add(epoch);
    assertEquals(0, run("train-prior", "--set", "prior.epochs=1", "--overwrite").code());
    assertEquals(List.of(1), ran);
    assertEquals(List.of(1), priorEpochs());
    assertEquals(List.of("epoch-000001"), checkpoints());

    // the VQ-VAE trained further has other codes: the old code grids are refused, and so is the old prior when
    // sampling; once encoded again, the prior checkpoints are refused when the job starts
    assertTrue(Files.exists(run().resolve("codes/_codes.json")));
    assertTrue(Files.exists(run().resolve("prior.json")));
    assertEquals(0, run("train", "--set", "train.epochs=2").code());
    MainRun staleCodes = run("train-prior", "--set", "prior.epochs=2");
    assertEquals(2, staleCodes.code());
    assertTrue(staleCodes.err().contains("the code grids at ") && staleCodes.err().contains("came from another "
        + "VQ-VAE") && staleCodes.err().contains("run `encode --overwrite` first"), staleCodes.err());
    MainRun stalePrior = run("sample");
    assertEquals(2, stalePrior.code());
    assertTrue(stalePrior.err().contains("the prior at ") && stalePrior.err().contains("came from another VQ-VAE"),
        stalePrior.err());
    assertEquals(0, run("encode", "--overwrite").code());
    MainRun otherCodes = run("train-prior", "--set", "prior.epochs=2");
    assertEquals(1, otherCodes.code());
    assertTrue(otherCodes.err().contains(TrainPriorJob.VQ_MODEL_KEY + ": checkpoint "), otherCodes.err());
    assertTrue(otherCodes.err().contains("--fresh"), otherCodes.err());
    assertEquals(List.of("epoch-000001"), checkpoints());

    // --fresh starts over from the new model, and sampling takes its prior
    ran.clear();
    assertEquals(0, run("train-prior", "--set", "prior.epochs=2", "--fresh").code());
    assertEquals(List.of(1, 2), ran);
    assertEquals(List.of(1, 2), priorEpochs());
    assertEquals(List.of("epoch-000001", "epoch-000002"), checkpoints());
    assertTrue(Files.exists(run().resolve("_steps/train-prior/_SUCCESS")));
    assertEquals(0, run("sample").code());
  }
}
