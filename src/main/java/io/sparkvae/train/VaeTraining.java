package io.sparkvae.train;

import io.sparkvae.cli.JobProgress;
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
import io.sparkvae.train.ResumableEpochs.RestartPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
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

  private final JavaSparkContext jsc;
  private final HadoopFiles files;
  private final AppConfig config;
  private final RunPaths paths;
  private final TrainJob.TrainData data;
  private final VaeSpec spec;
  private final ResumableEpochs loop;

  /**
   * Fault injection for tests: called on the driver with the 1-based epoch and the network before the epoch
   * starts; a test throws to stand for an epoch that fails, or puts a NaN in the parameters. Null otherwise.
   */
  static volatile BiConsumer<Integer, ComputationGraph> beforeEpoch;

  VaeTraining(JavaSparkContext jsc, HadoopFiles files, AppConfig config, RunPaths paths, TrainJob.TrainData data) {
    this.jsc = jsc;
    this.files = files;
    this.config = config;
    this.paths = paths;
    this.data = data;
    this.spec = VaeSpecs.of(config, data.shape());
    this.loop = new ResumableEpochs(config, files, paths);
  }

  void run() {
    long started = System.nanoTime();
    loop.run(this::start);
    LatentPriorFit.run(jsc, files, config.model().latentPrior(), config.train().seed(), paths, data,
        new TrainingPlots(files, paths.plots()), config.sample().seed());
    LOG.info("train: done in {}; model {}, metrics {}, plots {}, checkpoints {}",
        JobProgress.duration((System.nanoTime() - started) / 1e9), files.qualify(paths.model()),
        files.qualify(paths.metrics()), files.qualify(paths.plots()), loop.checkpointDir());
  }

  private ResumableEpochs.Epochs start(RestartPoint from) {
    TrainConfig t = config.train();
    ComputationGraph initial;
    if (from.modelZip() == null) {
      initial = VaeGraphs.newTrainingGraph(spec);
    } else {
      // Adam's state as the checkpoint left it; each epoch sets its learning rate from the config (which may have
      // been changed since, e.g. after a NaN)
      initial = ModelStore.fromBytes(from.modelZip()).graph();
    }
    String exportDir = t.exportDirectory().isBlank() ? paths.runDir() + "/export-tmp" : t.exportDirectory();
    AveragingTrainer trainer = ParameterAveraging.trainer(jsc, initial, t, files.qualify(exportDir));
    TrainingPlots plots = new TrainingPlots(files, paths.plots());
    List<String> lines = new ArrayList<>(from.metrics());
    List<EpochMetrics> history = new ArrayList<>();
    lines.forEach(l -> history.add(EpochMetrics.parse(l)));
    return (epoch, last) -> epoch(trainer, epoch, lines, history, plots, last);
  }

  /** One epoch: fit, guard, evaluate, write; returns the restart point (a new one if it checkpointed). */
  private RestartPoint epoch(AveragingTrainer trainer, int epoch, List<String> lines,
      List<EpochMetrics> history, TrainingPlots plots, RestartPoint last) {
    TrainConfig t = config.train();
    int epochs = t.epochs();
    ImageShape shape = data.shape();
    BiConsumer<Integer, ComputationGraph> hook = beforeEpoch;
    if (hook != null) {
      hook.accept(epoch + 1, trainer.network());
    }
    // 1. one pass: set the KL warm-up weight and the epoch's learning rate (also on a resumed model), reshuffle,
    //    fit with parameter averaging
    double klWeight = VaeSpecs.klWeight(config.model(), epoch);
    VaeGraphs.setKlWeight(trainer.network(), klWeight);
    trainer.network().setLearningRate(t.learningRate(epoch));
    jsc.setJobDescription("train: epoch " + (epoch + 1) + "/" + epochs);
    long t0 = System.nanoTime();
    JavaRDD<MultiDataSet> batches = data.train().mapPartitionsWithIndex(new MinibatchFunction(spec,
        t.batchSizePerWorker(), SplitAssigner.mix64(t.seed(), epoch)), false);
    try (JobProgress progress = JobProgress.start(jsc.sc(), "train: epoch " + (epoch + 1) + "/" + epochs, "images",
        data.trainCount(), JobProgress.EVERY, LOG::info)) {
      trainer.fitEpoch(batches, progress.counter());
    }
    double fitSeconds = (System.nanoTime() - t0) / 1e9;
    // the Gaussian's normalising constant is not in DL4J's score; add it so train and val compare
    double loss = trainer.score() + (spec.likelihood() == Likelihood.GAUSSIAN
        ? GaussianLoss.logNormalizer(shape.dimensions(), spec.gaussianSigma()) : 0.0);
    ComputationGraph graph = trainer.network();
    DivergenceGuard.check(loss, graph, epoch + 1, graph.getIterationCount(),
        last.pathOrNone());
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
    RestartPoint next = loop.checkpointIfDue(epoch + 1, graph.getIterationCount(), modelZip, lines, last);
    LOG.info(String.format(Locale.ROOT, "epoch %d/%d: train loss %.1f, val PSNR %.2f dB, "
        + "-ELBO %.1f nats/image (%.3f bits/dim), KL %.1f, %.0f img/s, ETA %s%s",
        epoch + 1, epochs, loss, m.valPsnr(), m.valNegElbo(), m.valBitsPerDim(), m.valKl(),
        m.imagesPerSecond(), JobProgress.duration(m.epochSeconds() * (epochs - epoch - 1)),
        next != last ? ", checkpoint " + next.path() : ""));
    return next;
  }
}
