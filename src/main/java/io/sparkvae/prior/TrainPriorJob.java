package io.sparkvae.prior;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvae.cli.Job;
import io.sparkvae.cli.JobProgress;
import io.sparkvae.config.AppConfig;
import io.sparkvae.config.PriorConfig;
import io.sparkvae.config.TrainConfig;
import io.sparkvae.data.SplitAssigner;
import io.sparkvae.encode.EncodeJob;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.Hashes;
import io.sparkvae.io.RunPaths;
import io.sparkvae.io.VqLineage;
import io.sparkvae.io.images.LinePlot;
import io.sparkvae.model.prior.PixelCnnGraphs;
import io.sparkvae.model.prior.PixelCnnSpec;
import io.sparkvae.model.vae.ModelStore;
import io.sparkvae.model.vqvae.CodeUsage;
import io.sparkvae.model.vqvae.VqVaeSpec;
import io.sparkvae.train.AveragingTrainer;
import io.sparkvae.train.Checkpoints;
import io.sparkvae.train.DivergenceGuard;
import io.sparkvae.train.ParameterAveraging;
import io.sparkvae.train.ResumableEpochs;
import io.sparkvae.train.ResumableEpochs.RestartPoint;
import io.sparkvae.train.ShuffledBatches;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code train-prior}: fits the PixelCNN prior over the run's code grids ({@code encode}'s output) with parameter
 * averaging (workers, averaging frequency and updater averaging from {@code train.*}, the rest from
 * {@code prior.*}), and reports the val NLL in nats per code beside the unigram entropy of the training codes and
 * ln K: the prior is only worth its cost when it beats the unigram entropy by a margin.
 *
 * <p>Checkpoints, resume and retries as {@code train}'s ({@link ResumableEpochs}, {@code train.checkpoint},
 * {@code train.max-retries}, {@code train.resume}), in {@code <run dir>/prior-checkpoints/}: a rerun with the same
 * run-id continues from the newest one, {@code --fresh} starts over, and {@code --overwrite} deletes the prior,
 * its metrics and its checkpoints first. A checkpoint is of the prior's architecture ({@code prior.hidden-channels},
 * {@code prior.residual-blocks}) over the codes of one VQ-VAE (its {@code model.zip}'s SHA-256).
 */
public final class TrainPriorJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(TrainPriorJob.class);
  private static final int EVAL_BATCH = 128;
  private static final String PLOT = "prior-nll.png";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The config key of the VQ-VAE's hash in a prior checkpoint's model config, as {@code Checkpoints} names it. */
  static final String VQ_MODEL_KEY = "prior.vq-vae-model-sha256";

  /**
   * Fault injection for tests: called on the driver with the 1-based epoch and the network before the epoch
   * starts; a test throws to stand for an epoch that fails, or puts a NaN in the parameters. Null otherwise.
   */
  static volatile BiConsumer<Integer, ComputationGraph> beforeEpoch;

  @Override
  public String description() {
    return "train the PixelCNN prior on runs/<run-id>/codes/ into runs/<run-id>/prior.zip and "
        + "prior-metrics.jsonl";
  }

  @Override
  public List<String> inputs(AppConfig config) {
    RunPaths paths = RunPaths.of(config);
    return List.of(paths.model(), paths.codes());
  }

  @Override
  public List<String> outputs(AppConfig config) {
    RunPaths paths = RunPaths.of(config);
    return List.of(paths.prior(), paths.priorMetrics());
  }

  /** A rerun of the run resumes from its checkpoints. */
  @Override
  public boolean resumes() {
    return true;
  }

  @Override
  public List<String> preflight(AppConfig config, boolean overwrite, HadoopFiles files) {
    List<String> problems = new ArrayList<>();
    ParameterAveraging.preflightProblem(config.train(), config.spark().master()).ifPresent(problems::add);
    RunPaths paths = RunPaths.of(config);
    if (!files.exists(paths.model())) {
      problems.add("run " + config.runId() + " has no model at " + paths.model() + " (train a VQ-VAE first)");
    }
    if (!files.exists(paths.codes())) {
      problems.add("run " + config.runId() + " has no code grids at " + paths.codes() + " (run `encode` first)");
    }
    // an existing prior is no obstacle: the run resumes from its checkpoints (refused here if they are of another
    // architecture; the VQ-VAE they model is checked when the job starts, as validate reads no file)
    if (!overwrite && config.train().resume()) {
      problems.addAll(checkpoints(files, config).modelChanges(modelJson(config.prior(), null)).stream()
          .filter(d -> !d.startsWith(VQ_MODEL_KEY + ":"))
          .map(d -> d + ": run " + config.runId() + " has prior checkpoints of another prior (pass --fresh to start "
              + "over, or choose another run-id)").toList());
    }
    return problems;
  }

  static Checkpoints checkpoints(HadoopFiles files, AppConfig config) {
    return Checkpoints.prior(files, RunPaths.of(config).runDir(), config.train().checkpoint().keep());
  }

  /**
   * What a prior checkpoint must match to be resumed: the architecture and, unless null, the SHA-256 of the
   * VQ-VAE whose codes it models (its codebook size and grid follow from that model).
   */
  static JsonNode modelJson(PriorConfig p, String vqModelSha256) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("hiddenChannels", p.hiddenChannels());
    json.put("residualBlocks", p.residualBlocks());
    if (vqModelSha256 != null) {
      json.put("vqVaeModelSha256", vqModelSha256);
    }
    return json;
  }

  @Override
  public void run(SparkSession spark, AppConfig config, boolean overwrite) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopFiles files = new HadoopFiles(jsc.hadoopConfiguration());
    RunPaths paths = RunPaths.of(config);
    PriorConfig p = config.prior();
    byte[] vqZip = files.readBytes(paths.model());
    String vqSha = Hashes.sha256(vqZip);
    VqLineage.check(files, paths.codes() + "/" + VqLineage.CODES_INFO, vqSha, "the code grids at "
        + files.qualify(paths.codes()), "run `encode --overwrite` first");
    VqVaeSpec vq = EncodeJob.vqSpec(ModelStore.fromBytesAny(vqZip).spec(), paths.model());
    PixelCnnSpec spec = new PixelCnnSpec(vq.codebookSize(), vq.codeHeight(), vq.codeWidth(), p.hiddenChannels(),
        p.residualBlocks(), p.learningRate(), config.train().seed());
    // 1. code grids of train (one partition per worker, cached) and val
    jsc.setJobDescription("train-prior: load code grids");
    JavaRDD<int[]> train = grids(spark, paths.codes(), "train", 0)
        .repartition(Math.max(2, config.train().workers())).persist(StorageLevel.MEMORY_AND_DISK_SER());
    JavaRDD<int[]> val = grids(spark, paths.codes(), "val", p.maxValGrids())
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    long trainCount = train.count();
    long valCount = val.count();
    if (trainCount == 0 || valCount == 0) {
      throw new IllegalStateException(paths.codes() + " has " + trainCount + " train and " + valCount
          + " val grids; both splits are needed");
    }
    long[] counts = train.map(g -> CodeUsage.counts(g, spec.numCodes())).reduce(CodeUsage::plus);
    double unigram = CodeUsage.entropy(counts);
    double lnK = Math.log(spec.numCodes());
    LOG.info("train-prior: {} train and {} val {}x{} grids of {} codes; unigram entropy {} nats/code, ln K {}",
        trainCount, valCount, spec.height(), spec.width(), spec.numCodes(), fmt(unigram), fmt(lnK));
    // 2. parameter averaging with the prior's minibatch size, epoch by epoch from the newest checkpoint
    if (overwrite) {
      for (String old : List.of(paths.prior(), paths.priorInfo(), paths.priorMetrics(), paths.plots() + "/" + PLOT,
          checkpoints(files, config).dir())) {
        files.delete(old);
      }
    }
    ResumableEpochs loop = new ResumableEpochs("train-prior", config, p.epochs(), files, paths.prior(),
        checkpoints(files, config), modelJson(p, vqSha));
    long started = System.nanoTime();
    PriorEpochs epochs = new PriorEpochs(jsc, files, paths, config, spec, train, val, trainCount, unigram, lnK, loop,
        vqSha);
    loop.run(epochs::start);
    train.unpersist();
    val.unpersist();
    LOG.info("train-prior: done in {} s; prior {}, metrics {}, checkpoints {}",
        fmt((System.nanoTime() - started) / 1e9), files.qualify(paths.prior()), files.qualify(paths.priorMetrics()),
        loop.checkpointDir());
  }

  /** The prior's epochs, from a restart point: fit, evaluate on val, then metrics, model, plot and checkpoint. */
  private record PriorEpochs(JavaSparkContext jsc, HadoopFiles files, RunPaths paths, AppConfig config,
      PixelCnnSpec spec, JavaRDD<int[]> train, JavaRDD<int[]> val, long trainCount, double unigram, double lnK,
      ResumableEpochs loop, String vqSha) {
    ResumableEpochs.Epochs start(RestartPoint from) {
      PriorConfig p = config.prior();
      TrainConfig t = config.train();
      TrainConfig priorTrain = new TrainConfig(p.epochs(), t.workers(), p.batchSizePerWorker(),
          t.averagingFrequency(), t.averageUpdaters(), t.averaging(), t.rddTrainingApproach(), t.exportDirectory(),
          t.prefetchBatches(), p.learningRate(), TrainConfig.CONSTANT, t.seed(), 0, 0, t.checkpoint(),
          t.maxRetries(), false);
      // parameters and Adam's state as the checkpoint left them, or a new network
      ComputationGraph graph = from.modelZip() == null ? PixelCnnGraphs.newTrainingGraph(spec)
          : ModelStore.fromBytesAny(from.modelZip()).graph();
      AveragingTrainer trainer = ParameterAveraging.trainer(jsc, graph, priorTrain,
          files.qualify(paths.runDir() + "/export-tmp-prior"));
      List<String> lines = new ArrayList<>(from.metrics());
      List<double[]> history = new ArrayList<>();
      lines.forEach(l -> history.add(historyRow(l)));
      return (epoch, last) -> epoch(trainer, epoch, lines, history, last);
    }

    private RestartPoint epoch(AveragingTrainer trainer, int epoch, List<String> lines, List<double[]> history,
        RestartPoint last) {
      PriorConfig p = config.prior();
      BiConsumer<Integer, ComputationGraph> hook = beforeEpoch;
      if (hook != null) {
        hook.accept(epoch + 1, trainer.network());
      }
      jsc.setJobDescription("train-prior: epoch " + (epoch + 1) + "/" + p.epochs());
      long t0 = System.nanoTime();
      JavaRDD<MultiDataSet> batches = train.mapPartitionsWithIndex(new GridBatches(spec, p.batchSizePerWorker(),
          SplitAssigner.mix64(config.train().seed(), 7000 + epoch)), false);
      try (JobProgress progress = JobProgress.start(jsc.sc(), "train-prior: epoch " + (epoch + 1) + "/"
          + p.epochs(), "grids", trainCount, JobProgress.EVERY, LOG::info)) {
        trainer.fitEpoch(batches, progress.counter());
      }
      double fitSeconds = (System.nanoTime() - t0) / 1e9;
      ComputationGraph graph = trainer.network();
      double trainNats = PixelCnnGraphs.natsPerCode(trainer.score(), spec);
      DivergenceGuard.check(trainNats, graph, epoch + 1, graph.getIterationCount(), last.pathOrNone(),
          "Lower prior.learning-rate and rerun with the same run-id to resume from that checkpoint, or rerun with "
          + "--fresh to start over.");
      jsc.setJobDescription("train-prior: evaluate epoch " + (epoch + 1) + " on val");
      byte[] zip = ModelStore.toBytes(graph, spec);
      double valNats = evaluate(jsc, zip, val, spec);
      VqLineage.write(files, paths.priorInfo(), vqSha);
      ModelStore.save(zip, paths.prior(), jsc.hadoopConfiguration());
      history.add(new double[] {epoch + 1, trainNats, valNats});
      lines.add(String.format(Locale.ROOT, "{\"epoch\":%d,\"epochs\":%d,\"train_nll_nats_per_code\":%.6g,"
          + "\"val_nll_nats_per_code\":%.6g,\"unigram_entropy_nats\":%.6g,\"ln_k\":%.6g,"
          + "\"train_grids_per_s\":%.6g,\"epoch_seconds\":%.6g}", epoch + 1, p.epochs(), trainNats, valNats,
          unigram, lnK, trainCount / fitSeconds, (System.nanoTime() - t0) / 1e9));
      files.writeString(paths.priorMetrics(), String.join("\n", lines) + "\n");
      plot(files, paths, history, unigram, lnK);
      RestartPoint next = loop.checkpointIfDue(epoch + 1, graph.getIterationCount(), zip, lines, last);
      double epochSeconds = (System.nanoTime() - t0) / 1e9;
      LOG.info(String.format(Locale.ROOT, "prior epoch %d/%d: val NLL %.3f nats/code (unigram entropy %.3f, "
          + "ln K %.3f), train %.3f, %.0f grids/s, ETA %s%s", epoch + 1, p.epochs(), valNats, unigram, lnK,
          trainNats, trainCount / fitSeconds, JobProgress.duration(epochSeconds * (p.epochs() - epoch - 1)),
          next != last ? ", checkpoint " + next.path() : ""));
      return next;
    }
  }

  /** {epoch, train NLL, val NLL} of a prior-metrics line, for the plot of a resumed run. */
  static double[] historyRow(String line) {
    try {
      JsonNode json = JSON.readTree(line);
      return new double[] {json.path("epoch").asDouble(), json.path("train_nll_nats_per_code").asDouble(),
          json.path("val_nll_nats_per_code").asDouble()};
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a prior checkpoint's metrics line is not JSON: " + line, e);
    }
  }

  /** Code grids of one split as int arrays, at most {@code limit} of them (0 = all), ordered by id if limited. */
  static JavaRDD<int[]> grids(SparkSession spark, String codes, String split, long limit) {
    var rows = spark.read().parquet(codes).where(functions.col("split").equalTo(split)).select("id", "codes");
    if (limit > 0) {
      rows = rows.orderBy("id").limit((int) Math.min(Integer.MAX_VALUE, limit));
    }
    return rows.toJavaRDD().map(TrainPriorJob::grid);
  }

  private static int[] grid(Row r) {
    List<Integer> list = r.getList(1);
    int[] g = new int[list.size()];
    for (int i = 0; i < g.length; i++) {
      g[i] = list.get(i);
    }
    return g;
  }

  /** Val NLL in nats per code, computed on the executors with the prior shipped once. */
  static double evaluate(JavaSparkContext jsc, byte[] priorZip, JavaRDD<int[]> val, PixelCnnSpec spec) {
    Broadcast<byte[]> prior = jsc.broadcast(priorZip);
    try {
      double[] sums = val.mapPartitions((Iterator<int[]> grids) -> {
        ComputationGraph g = ModelStore.fromBytesAny(prior.value()).graph();
        double nll = 0;
        long n = 0;
        List<int[]> chunk = new ArrayList<>();
        while (grids.hasNext()) {
          chunk.add(grids.next());
          if (chunk.size() == EVAL_BATCH || !grids.hasNext()) {
            // score: mean over the batch of the NLL summed over positions
            nll += g.score(PixelCnnGraphs.toMultiDataSet(chunk.toArray(new int[0][]), spec), false) * chunk.size();
            n += chunk.size();
            chunk.clear();
          }
        }
        return List.of(new double[] {nll, n}).iterator();
      }).reduce((a, b) -> new double[] {a[0] + b[0], a[1] + b[1]});
      return sums[0] / Math.max(1, sums[1]) / spec.positions();
    } finally {
      prior.destroy();
    }
  }

  private static void plot(HadoopFiles files, RunPaths paths, List<double[]> history, double unigram, double lnK) {
    int n = history.size();
    double[][] train = new double[2][n];
    double[][] val = new double[2][n];
    double[][] uni = new double[2][n];
    double[][] k = new double[2][n];
    for (int i = 0; i < n; i++) {
      double e = history.get(i)[0];
      train[0][i] = e;
      train[1][i] = history.get(i)[1];
      val[0][i] = e;
      val[1][i] = history.get(i)[2];
      uni[0][i] = e;
      uni[1][i] = unigram;
      k[0][i] = e;
      k[1][i] = lnK;
    }
    Map<String, double[][]> series = new LinkedHashMap<>();
    series.put("val NLL", val);
    series.put("train NLL (last averaging round)", train);
    series.put("unigram entropy of the codes", uni);
    series.put("ln K (uniform)", k);
    files.writeAtomically(paths.plots() + "/" + PLOT,
        LinePlot.png("PixelCNN prior: NLL per code", "epoch", "nats per code", series, 800, 500));
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /** On an executor: shuffles a partition's grids into minibatches of code indices. */
  private record GridBatches(PixelCnnSpec spec, int batchSize, long seed) implements Serializable,
      org.apache.spark.api.java.function.Function2<Integer, Iterator<int[]>, Iterator<MultiDataSet>> {
    @Override
    public Iterator<MultiDataSet> call(Integer partition, Iterator<int[]> grids) {
      // grids are small int arrays; a minibatch's arrays are made when it is fitted
      PixelCnnSpec s = spec;
      return ShuffledBatches.of(grids, seed, partition, batchSize,
          chunk -> PixelCnnGraphs.toMultiDataSet(chunk.toArray(new int[0][]), s));
    }
  }
}
