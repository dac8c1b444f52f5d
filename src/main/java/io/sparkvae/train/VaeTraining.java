package io.sparkvae.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkvae.config.AppConfig;
import io.sparkvae.config.TrainConfig;
import io.sparkvae.data.SplitAssigner;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.RunPaths;
import io.sparkvae.model.layers.GaussianLoss;
import io.sparkvae.model.vae.Likelihood;
import io.sparkvae.model.vae.LoadedVae;
import io.sparkvae.model.vae.ModelStore;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code train} with {@code model.type = vae}: epochs of parameter averaging, each followed by a distributed
 * evaluation on val, the metrics line, the model, the pictures and (every {@code train.checkpoint.every} epochs)
 * a checkpoint.
 *
 * <p>Faults: a run with checkpoints of the same run-id resumes from the newest valid one (unless
 * {@code train.resume} is false, i.e. {@code --fresh}); an epoch that fails (lost executors, tasks failing past
 * Spark's own retries) is retried from the last checkpoint up to {@code train.max-retries} times; a loss or
 * parameters that stop being finite stop the run at once, leaving the last good checkpoint in place. Every
 * random stream (shuffles, evaluation noise) is derived from (seed, epoch), so a resumed run replays the epochs
 * an uninterrupted one would have run.
 */
final class VaeTraining {
  private static final Logger LOG = LoggerFactory.getLogger(VaeTraining.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JavaSparkContext jsc;
  private final HadoopFiles files;
  private final AppConfig config;
  private final RunPaths paths;
  private final TrainJob.TrainData data;
  private final VaeSpec spec;
  private final Checkpoints checkpoints;
  private final JsonNode modelJson;

  /**
   * Fault injection for tests: called on the driver with the 1-based epoch and the network before the epoch
   * starts; a test throws to stand for an epoch that fails, or puts a NaN in the parameters. Null otherwise.
   */
  static volatile BiConsumer<Integer, ComputationGraph> beforeEpoch;

  /** Where training restarts after a failure: the last checkpoint's model and metrics, or nothing. */
  private record RestartPoint(int epoch, byte[] modelZip, List<String> metrics, String path) {}

  VaeTraining(JavaSparkContext jsc, HadoopFiles files, AppConfig config, RunPaths paths, TrainJob.TrainData data) {
    this.jsc = jsc;
    this.files = files;
    this.config = config;
    this.paths = paths;
    this.data = data;
    this.spec = VaeSpecs.of(config, data.shape());
    this.checkpoints = new Checkpoints(files, paths.runDir(), config.train().checkpoint().keep());
    this.modelJson = Checkpoints.modelConfigJson(config.model());
  }

  void run() {
    int maxRetries = config.train().maxRetries();
    RestartPoint restart = startingPoint();
    long started = System.nanoTime();
    int failures = 0;
    while (true) {
      try {
        train(restart, started);
        return;
      } catch (EpochFailed e) {
        // failures count from the newest checkpoint: progress past one resets them
        failures = e.lastCheckpoint == restart ? failures + 1 : 1;
        restart = e.lastCheckpoint;
        String error = String.valueOf(e.getCause().getMessage());
        if (failures > maxRetries) {
          throw new IllegalStateException("train: epoch " + e.epoch + " failed " + failures + " time(s) since "
              + describe(restart) + " (train.max-retries = " + maxRetries + "); rerun with the same run-id to "
              + "resume from the last checkpoint. Last error: " + error, e.getCause());
        }
        LOG.warn("train: epoch {} failed ({}); retrying from {} (retry {}/{})", e.epoch, error, describe(restart),
            failures, maxRetries);
      }
    }
  }

  private static String describe(RestartPoint p) {
    return p.path() == null ? "the start (no checkpoint yet)"
        : "checkpoint " + p.path() + " (after epoch " + p.epoch() + ")";
  }

  private RestartPoint startingPoint() {
    if (!config.train().resume()) {
      if (files.exists(checkpoints.dir())) {
        LOG.info("train: train.resume = false (--fresh): deleting the checkpoints in {}",
            files.qualify(checkpoints.dir()));
        files.delete(checkpoints.dir());
      }
      return new RestartPoint(0, null, List.of(), null);
    }
    Optional<Checkpoints.Loaded> newest = checkpoints.newestValid(LOG::warn);
    if (newest.isEmpty()) {
      if (files.exists(paths.model())) {
        LOG.warn("train: run {} has a model but no valid checkpoint (an attempt failed before its first): "
            + "starting over", config.runId());
      }
      return new RestartPoint(0, null, List.of(), null);
    }
    Checkpoints.Loaded c = newest.get();
    List<String> changed = Checkpoints.differences(c.state().modelConfig(), modelJson);
    if (!changed.isEmpty()) {
      throw new IllegalStateException("run " + config.runId() + " has a checkpoint of another model ("
          + String.join("; ", changed) + "): pass --fresh to start over, or choose another run-id");
    }
    LOG.info("train: resuming from checkpoint {}: epoch {}/{} done, iteration {}", files.qualify(c.path()),
        c.state().epoch(), config.train().epochs(), c.state().iteration());
    return new RestartPoint(c.state().epoch(), c.modelZip(), c.state().metrics(), c.path());
  }

  /** An epoch failed; training restarts from the newest checkpoint written so far. */
  private static final class EpochFailed extends RuntimeException {
    final int epoch;
    final RestartPoint lastCheckpoint;

    EpochFailed(int epoch, RestartPoint lastCheckpoint, RuntimeException cause) {
      super("epoch " + epoch + " failed", cause, false, false);
      this.epoch = epoch;
      this.lastCheckpoint = lastCheckpoint;
    }
  }

  private void train(RestartPoint from, long started) {
    TrainConfig t = config.train();
    ComputationGraph initial;
    if (from.modelZip() == null) {
      initial = VaeGraphs.newTrainingGraph(spec);
    } else {
      initial = ModelStore.fromBytes(from.modelZip()).graph();
      // the checkpoint keeps Adam's state; train.learning-rate may have been changed since (e.g. after a NaN)
      initial.setLearningRate(spec.learningRate());
    }
    String exportDir = t.exportDirectory().isBlank() ? paths.runDir() + "/export-tmp" : t.exportDirectory();
    SparkComputationGraph trainer = new SparkComputationGraph(jsc, initial,
        ParameterAveraging.master(t, files.qualify(exportDir)));
    TrainingPlots plots = new TrainingPlots(files, paths.plots());
    List<String> lines = new ArrayList<>(from.metrics());
    List<EpochMetrics> history = new ArrayList<>();
    lines.forEach(l -> history.add(parse(l)));
    RestartPoint last = from;
    int epochs = t.epochs();
    for (int epoch = from.epoch(); epoch < epochs; epoch++) {
      try {
        last = epoch(trainer, epoch, lines, history, plots, last);
      } catch (TrainingDivergedException e) {
        throw e; // never retried: the same data and model would diverge again
      } catch (RuntimeException e) {
        throw new EpochFailed(epoch + 1, last, e);
      }
    }
    LOG.info("train: done in {}; model {}, metrics {}, plots {}, checkpoints {}",
        TrainJob.eta((System.nanoTime() - started) / 1e9), files.qualify(paths.model()),
        files.qualify(paths.metrics()), files.qualify(paths.plots()), files.qualify(checkpoints.dir()));
  }

  /** One epoch: fit, guard, evaluate, write; returns the restart point (a new one if it checkpointed). */
  private RestartPoint epoch(SparkComputationGraph trainer, int epoch, List<String> lines,
      List<EpochMetrics> history, TrainingPlots plots, RestartPoint last) {
    TrainConfig t = config.train();
    int epochs = t.epochs();
    ImageShape shape = data.shape();
    BiConsumer<Integer, ComputationGraph> hook = beforeEpoch;
    if (hook != null) {
      hook.accept(epoch + 1, trainer.getNetwork());
    }
    // 1. one pass: set the KL warm-up weight, reshuffle, fit with parameter averaging
    double klWeight = VaeSpecs.klWeight(config.model(), epoch);
    VaeGraphs.setKlWeight(trainer.getNetwork(), klWeight);
    jsc.setJobDescription("train: epoch " + (epoch + 1) + "/" + epochs);
    long t0 = System.nanoTime();
    JavaRDD<MultiDataSet> batches = data.train().mapPartitionsWithIndex(new MinibatchFunction(spec,
        t.batchSizePerWorker(), SplitAssigner.mix64(t.seed(), epoch)), false);
    trainer.fitMultiDataSet(batches);
    trainer.getTrainingMaster().deleteTempFiles(jsc);
    double fitSeconds = (System.nanoTime() - t0) / 1e9;
    // the Gaussian's normalising constant is not in DL4J's score; add it so train and val compare
    double loss = trainer.getScore() + (spec.likelihood() == Likelihood.GAUSSIAN
        ? GaussianLoss.logNormalizer(shape.dimensions(), spec.gaussianSigma()) : 0.0);
    ComputationGraph graph = trainer.getNetwork();
    DivergenceGuard.check(loss, graph, epoch + 1, graph.getIterationCount(),
        last.path() == null ? "none yet" : files.qualify(last.path()));
    // 2. distributed evaluation on val, then the metrics line, the model, the pictures, the checkpoint
    jsc.setJobDescription("train: evaluate epoch " + (epoch + 1) + "/" + epochs + " on val");
    byte[] modelZip = ModelStore.toBytes(graph, spec); // serialised once: broadcast, saved, checkpointed
    EvalSums sums = TrainJob.evaluate(jsc, modelZip, data.val(), t.seed() + epoch);
    EpochMetrics m = EpochMetrics.of(epoch + 1, epochs, loss, klWeight, sums, shape,
        spec.likelihood() == Likelihood.GAUSSIAN, data.trainCount() / fitSeconds, (System.nanoTime() - t0) / 1e9);
    history.add(m);
    lines.add(m.toJson());
    files.writeString(paths.metrics(), String.join("\n", lines) + "\n");
    ModelStore.save(modelZip, paths.model(), jsc.hadoopConfiguration());
    LoadedVae vae = new LoadedVae(graph, spec);
    plots.curves(history);
    plots.reconstructions(vae, data.pictureImages(), t.seed());
    plots.priorSamples(vae, config.sample().seed());
    RestartPoint next = last;
    if ((epoch + 1) % t.checkpoint().every() == 0 || epoch + 1 == epochs) {
      String path = checkpoints.save(new Checkpoints.State(epoch + 1, graph.getIterationCount(), t.seed(),
          Checkpoints.hash(modelJson), modelJson, List.copyOf(lines)), modelZip);
      next = new RestartPoint(epoch + 1, modelZip, List.copyOf(lines), path);
    }
    LOG.info(String.format(Locale.ROOT, "epoch %d/%d: train loss %.1f, val PSNR %.2f dB, "
        + "-ELBO %.1f nats/image (%.3f bits/dim), KL %.1f, %.0f img/s, ETA %s%s",
        epoch + 1, epochs, loss, m.valPsnr(), m.valNegElbo(), m.valBitsPerDim(), m.valKl(),
        m.imagesPerSecond(), TrainJob.eta(m.epochSeconds() * (epochs - epoch - 1)),
        next != last ? ", checkpoint " + files.qualify(next.path()) : ""));
    return next;
  }

  private static EpochMetrics parse(String line) {
    try {
      JsonNode j = JSON.readTree(line);
      return new EpochMetrics(j.path("epoch").asInt(), j.path("epochs").asInt(), d(j, "train_loss"),
          d(j, "kl_weight"), j.path("val_images").asLong(), d(j, "val_mse"), d(j, "val_psnr_db"),
          d(j, "val_kl_nats"), d(j, "val_recon_nll_nats"), d(j, "val_neg_elbo_nats"), d(j, "val_bits_per_dim"),
          d(j, "train_images_per_s"), d(j, "epoch_seconds"));
    } catch (IOException e) {
      throw new UncheckedIOException("a checkpoint's metrics line is not JSON: " + line, e);
    }
  }

  private static double d(JsonNode j, String key) {
    JsonNode v = j.get(key);
    return v == null || v.isNull() ? Double.NaN : v.asDouble();
  }
}
