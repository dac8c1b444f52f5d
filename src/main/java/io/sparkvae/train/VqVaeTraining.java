package io.sparkvae.train;

import io.sparkvae.cli.JobProgress;
import io.sparkvae.config.AppConfig;
import io.sparkvae.config.VqVaeConfig;
import io.sparkvae.data.SplitAssigner;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.RunPaths;
import io.sparkvae.io.images.ContactSheet;
import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.io.images.LinePlot;
import io.sparkvae.model.layers.GaussianLoss;
import io.sparkvae.model.vae.ModelStore;
import io.sparkvae.model.vqvae.Codebooks;
import io.sparkvae.model.vqvae.VqVaeGraphs;
import io.sparkvae.model.vqvae.VqVaeSpec;
import io.sparkvae.train.ResumableEpochs.RestartPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code train} with {@code model.type = vqvae}: the VQ-VAE fitted with parameter averaging like the VAE. Before
 * the first epoch the codebook is initialised from encoder outputs of training images; after each epoch the
 * codebook is re-derived from the averaged EMA statistics, the model is evaluated on val (MSE, PSNR, code usage,
 * perplexity), codes used fewer than {@code restart-threshold} times are re-seeded from encoder outputs, and the
 * metrics line, the model, the pictures and (when due) a checkpoint are written. Resume and retry as the VAE's
 * ({@link ResumableEpochs}).
 */
public final class VqVaeTraining {
  private static final Logger LOG = LoggerFactory.getLogger(VqVaeTraining.class);
  /** Training images whose encoder outputs initialise the codebook. */
  private static final int INIT_IMAGES = 256;
  /** Encoder-output rows each val partition keeps for dead-code restarts. */
  static final int RESTART_ROWS_PER_PARTITION = 2048;

  private final JavaSparkContext jsc;
  private final HadoopFiles files;
  private final AppConfig config;
  private final RunPaths paths;
  private final TrainJob.TrainData data;
  private final ResumableEpochs loop;

  VqVaeTraining(JavaSparkContext jsc, HadoopFiles files, AppConfig config, RunPaths paths,
      TrainJob.TrainData data) {
    this.jsc = jsc;
    this.files = files;
    this.config = config;
    this.paths = paths;
    this.data = data;
    this.loop = new ResumableEpochs(config, files, paths);
  }

  /** The VQ-VAE spec of this configuration for images of {@code shape}. */
  static VqVaeSpec spec(AppConfig config, ImageShape shape) {
    VqVaeConfig v = config.model().vqvae();
    return new VqVaeSpec(shape.height(), shape.width(), shape.channels(), v.hiddenChannels(),
        v.residualChannels(), v.embeddingDim(), v.codebookSize(), v.downsamplings(), v.commitmentBeta(),
        v.ema(), v.emaDecay(), v.emaEpsilon(), config.model().gaussianSigma(), config.train().learningRate(),
        config.train().seed());
  }

  void run() {
    long started = System.nanoTime();
    loop.run(this::start);
    LOG.info("train: done in {}; model {}, metrics {}, plots {}, checkpoints {}", JobProgress.duration((System.nanoTime()
        - started) / 1e9), files.qualify(paths.model()), files.qualify(paths.metrics()),
        files.qualify(paths.plots()), loop.checkpointDir());
  }

  /** The trainer from a checkpoint, or from a fresh graph whose codebook starts at encoder outputs. */
  private ResumableEpochs.Epochs start(RestartPoint from) {
    VqVaeSpec spec = spec(config, data.shape());
    ComputationGraph graph;
    if (from.modelZip() == null) {
      graph = VqVaeGraphs.newTrainingGraph(spec);
      // 1. codebook from encoder outputs, so that no code starts far from the data
      jsc.setJobDescription("train: initialise the codebook from encoder outputs");
      List<byte[]> initImages = data.train().takeSample(false, INIT_IMAGES, config.train().seed());
      INDArray ze = VqVaeGraphs.encoder(graph, spec).outputSingle(false, ImageTensors.toBatch(initImages,
          spec.height(), spec.width(), spec.channels()));
      Codebooks.initFromEncoderOutputs(graph, Codebooks.rows(ze), config.train().seed());
    } else {
      // parameters, codebook, EMA statistics and Adam's state, as the checkpoint left them (each epoch sets the
      // learning rate from the config)
      graph = ModelStore.fromBytesAny(from.modelZip()).graph();
    }
    AveragingTrainer trainer = ParameterAveraging.trainer(jsc, graph, config.train(), files.qualify(paths.runDir() + "/export-tmp"));
    List<String> lines = new ArrayList<>(from.metrics());
    List<VqEpochMetrics> history = new ArrayList<>();
    lines.forEach(l -> history.add(VqEpochMetrics.parse(l)));
    return (epoch, last) -> epoch(trainer, spec, epoch, lines, history, last);
  }

  private RestartPoint epoch(AveragingTrainer trainer, VqVaeSpec spec, int epoch, List<String> lines,
      List<VqEpochMetrics> history, RestartPoint last) {
    int epochs = config.train().epochs();
    double logNormalizer = GaussianLoss.logNormalizer(spec.dimensions(), spec.gaussianSigma());
    // 2. one pass with parameter averaging, at the epoch's learning rate
    trainer.network().setLearningRate(config.train().learningRate(epoch));
    jsc.setJobDescription("train: epoch " + (epoch + 1) + "/" + epochs);
    long t0 = System.nanoTime();
    JavaRDD<MultiDataSet> batches = data.train().mapPartitionsWithIndex(new MinibatchFunction(spec,
        config.train().batchSizePerWorker(), SplitAssigner.mix64(config.train().seed(), epoch)), false);
    try (JobProgress progress = JobProgress.start(jsc.sc(), "train: epoch " + (epoch + 1) + "/" + epochs, "images",
        data.trainCount(), JobProgress.EVERY, LOG::info)) {
      trainer.fitEpoch(batches, progress.counter());
    }
    double fitSeconds = (System.nanoTime() - t0) / 1e9;
    ComputationGraph network = trainer.network();
    // the workers' EMA statistics were averaged; the codebook follows from them
    Codebooks.rederiveFromEma(network);
    double loss = trainer.score() + logNormalizer;
    DivergenceGuard.check(loss, network, epoch + 1, network.getIterationCount(),
        last.pathOrNone());
    // 3. distributed evaluation on val, dead-code restarts, then metrics, model and pictures
    jsc.setJobDescription("train: evaluate epoch " + (epoch + 1) + "/" + epochs + " on val");
    // serialised once: broadcast for evaluation and saved, so model.zip is the model the metrics describe
    byte[] modelZip = ModelStore.toBytes(network, spec);
    VqEvalSums sums = evaluate(jsc, modelZip, data.val(), spec);
    int restarted = 0;
    int threshold = config.model().vqvae().restartThreshold();
    if (threshold > 0 && epoch < epochs - 1 && !sums.encoderRows().isEmpty()) {
      restarted = Codebooks.restartDeadCodes(network, sums.usage(), threshold,
          Nd4j.create(sums.encoderRows().toArray(new float[0][])),
          SplitAssigner.mix64(config.train().seed(), 1000 + epoch));
    }
    VqEpochMetrics m = VqEpochMetrics.of(epoch + 1, epochs, loss, sums, spec, restarted,
        data.trainCount() / fitSeconds, (System.nanoTime() - t0) / 1e9);
    history.add(m);
    lines.add(m.toJson());
    files.writeString(paths.metrics(), String.join("\n", lines) + "\n");
    ModelStore.save(modelZip, paths.model(), jsc.hadoopConfiguration());
    pictures(network, spec, history, sums.usage());
    // training continues from the codebook after the restarts: that is what a checkpoint must hold
    byte[] resumeZip = restarted > 0 ? ModelStore.toBytes(network, spec) : modelZip;
    RestartPoint next = loop.checkpointIfDue(epoch + 1, network.getIterationCount(), resumeZip, lines, last);
    LOG.info(String.format(Locale.ROOT, "epoch %d/%d: train loss %.1f, val PSNR %.2f dB, perplexity %.1f, "
        + "codes used %.1f%% (%d restarted), %.0f img/s, ETA %s%s", epoch + 1, epochs, loss, m.valPsnr(),
        m.valPerplexity(), 100 * m.codebookUsage(), restarted, m.imagesPerSecond(),
        JobProgress.duration(m.epochSeconds() * (epochs - epoch - 1)), next != last ? ", checkpoint " + next.path() : ""));
    return next;
  }

  /** Evaluates a model on every partition of {@code val}; the model ships once as a broadcast. */
  public static VqEvalSums evaluate(JavaSparkContext jsc, byte[] modelZip, JavaRDD<byte[]> val, VqVaeSpec spec) {
    Broadcast<byte[]> model = jsc.broadcast(modelZip);
    try {
      return val.mapPartitions(pixels -> {
        ComputationGraph g = ModelStore.fromBytesAny(model.value()).graph();
        return List.of(new VqVaeEvaluator(g, spec, RESTART_ROWS_PER_PARTITION).evaluate(pixels)).iterator();
      }).fold(VqEvalSums.zero(spec.codebookSize()), VqEvalSums::plus);
    } finally {
      model.destroy();
    }
  }

  private void pictures(ComputationGraph network, VqVaeSpec spec, List<VqEpochMetrics> history, long[] usage) {
    String dir = paths.plots();
    Map<String, double[][]> losses = new LinkedHashMap<>();
    losses.put("train loss (last averaging round)", VqEpochMetrics.series(history, VqEpochMetrics::trainLoss));
    files.writeAtomically(dir + "/loss.png", LinePlot.png("Training loss per image", "epoch", "nats per image",
        losses, 800, 500));
    Map<String, double[][]> psnr = new LinkedHashMap<>();
    psnr.put("val PSNR", VqEpochMetrics.series(history, VqEpochMetrics::valPsnr));
    files.writeAtomically(dir + "/psnr.png", LinePlot.png("Validation reconstruction PSNR", "epoch", "dB",
        psnr, 800, 500));
    Map<String, double[][]> codes = new LinkedHashMap<>();
    codes.put("perplexity", VqEpochMetrics.series(history, VqEpochMetrics::valPerplexity));
    codes.put("codes used", VqEpochMetrics.series(history, m -> m.codebookUsage() * spec.codebookSize()));
    files.writeAtomically(dir + "/codebook.png", LinePlot.png("Codebook use on val (of " + spec.codebookSize()
        + " codes)", "epoch", "codes", codes, 800, 500));
    double[][] hist = new double[2][usage.length];
    for (int k = 0; k < usage.length; k++) {
      hist[0][k] = k;
      hist[1][k] = usage[k];
    }
    files.writeAtomically(dir + "/code-usage.png", LinePlot.png("Code usage on val, last epoch", "code index",
        "assignments", Map.of("assignments per code", hist), 1000, 400));
    files.writeAtomically(dir + "/reconstructions.png", reconstructionsPng(network, spec, data.pictureImages()));
  }

  /** {@code images} beside the VQ-VAE's reconstructions of them, as a PNG. */
  public static byte[] reconstructionsPng(ComputationGraph network, VqVaeSpec spec, List<byte[]> images) {
    INDArray x = ImageTensors.toBatch(images, spec.height(), spec.width(), spec.channels());
    INDArray recon = network.outputSingle(false, x);
    return ContactSheet.pairsPng(images, ImageTensors.toHwcBytes(recon), spec.height(), spec.width(),
        spec.channels(), 8, Math.max(1, 96 / spec.height()));
  }
}
