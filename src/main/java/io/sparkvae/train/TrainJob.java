package io.sparkvae.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkvae.cli.Job;
import io.sparkvae.config.AppConfig;
import io.sparkvae.config.ModelConfig;
import io.sparkvae.data.PreparedWriter;
import io.sparkvae.data.SplitAssigner;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.RunPaths;
import io.sparkvae.model.layers.GaussianLoss;
import io.sparkvae.model.vae.Likelihood;
import io.sparkvae.model.vae.LoadedVae;
import io.sparkvae.model.vae.ModelStore;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code train}: fits the VAE with parameter averaging, evaluating on the val split every epoch. */
public final class TrainJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  @Override
  public String description() {
    return "train the VAE on data.prepared with parameter averaging; writes runs/<run-id>/model.zip, "
        + "metrics.jsonl, plots/ and (VAE) latent-prior.json";
  }

  @Override
  public List<String> inputs(AppConfig config) {
    return List.of(config.data().prepared());
  }

  @Override
  public List<String> outputs(AppConfig config) {
    RunPaths paths = RunPaths.of(config);
    if (ModelConfig.VAE.equals(config.model().type()) && config.model().latentPrior().enabled()) {
      return List.of(paths.model(), paths.metrics(), paths.plots(), paths.latentPrior());
    }
    return List.of(paths.model(), paths.metrics(), paths.plots());
  }

  /** A rerun of the run resumes from its checkpoints. */
  @Override
  public boolean resumes() {
    return true;
  }

  @Override
  public List<String> preflight(AppConfig config, boolean overwrite, HadoopFiles files) {
    List<String> problems = new ArrayList<>();
    if (!files.exists(config.data().prepared())) {
      problems.add("data.prepared: no prepared dataset at " + config.data().prepared()
          + " (run `prepare` first, or set data.prepared)");
    } else {
      problems.addAll(shapeProblems(config, files));
    }
    ParameterAveraging.preflightProblem(config.train(), config.spark().master()).ifPresent(problems::add);
    RunPaths paths = RunPaths.of(config);
    Checkpoints checkpoints = new Checkpoints(files, paths.runDir(), config.train().checkpoint().keep());
    // an existing model is no obstacle: the run resumes from its checkpoints (refused here if they are of
    // another model), or starts over when an attempt failed before the first one
    if (!overwrite && config.train().resume()) {
      problems.addAll(checkpoints.modelChanges(Checkpoints.modelConfigJson(config.model())).stream()
          .map(d -> d + ": run " + config.runId() + " has checkpoints of another model (pass --fresh to start "
              + "over, or choose another run-id)").toList());
    }
    return problems;
  }

  /**
   * Whether the model's halvings fit the prepared images, from the image size in the dataset's summary: a
   * 48-pixel image cannot go through 4 stride-2 layers. Checked before Spark starts; a dataset without a
   * readable summary is checked later, from the data.
   */
  static List<String> shapeProblems(AppConfig config, HadoopFiles files) {
    String summary = config.data().prepared() + "/" + PreparedWriter.SUMMARY;
    if (!files.exists(summary)) {
      return List.of();
    }
    JsonNode json;
    try {
      json = new ObjectMapper().readTree(files.readString(summary));
    } catch (JsonProcessingException e) {
      return List.of(); // an unreadable summary: the shape is checked later, from the data
    }
    if (!json.path("height").canConvertToInt() || !json.path("width").canConvertToInt()) {
      return List.of();
    }
    int height = json.get("height").asInt();
    int width = json.get("width").asInt();
    boolean vq = ModelConfig.VQVAE.equals(config.model().type());
    int halvings = vq ? config.model().vqvae().downsamplings() : config.model().encoderChannels().length;
    int factor = 1 << halvings;
    if (height % factor == 0 && width % factor == 0) {
      return List.of();
    }
    String key = vq ? "model.vqvae.downsamplings" : "model.encoder-channels";
    return List.of(key + ": " + halvings + " stride-2 layers need images whose sides divide by " + factor
        + ", but " + config.data().prepared() + " holds " + height + "x" + width + " images");
  }

  /** The cached train and val pixels of the prepared dataset, with the image shape and a few val pictures. */
  record TrainData(ImageShape shape, JavaRDD<byte[]> train, long trainCount, JavaRDD<byte[]> val,
      long valCount, List<byte[]> pictureImages) {
    void unpersist() {
      train.unpersist();
      val.unpersist();
    }
  }

  /** Reads the train split (cached as compact byte arrays, one partition per worker) and the val split. */
  static TrainData loadData(SparkSession spark, JavaSparkContext jsc, AppConfig config) {
    String prepared = config.data().prepared();
    // the model's input shape comes from the data
    jsc.setJobDescription("train: read image shape");
    ImageShape shape = PreparedData.shapeOf(spark, prepared, "train");
    jsc.setJobDescription("train: load train split");
    JavaRDD<byte[]> train = PreparedData.pixels(spark, prepared, "train",
        config.train().maxTrainImages()).repartition(Math.max(config.train().workers(), 2))
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    long trainCount = train.count();
    JavaRDD<byte[]> val = PreparedData.pixels(spark, prepared, "val", config.train().maxValImages())
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    long valCount = val.count();
    List<byte[]> pictureImages = val.take(32);
    LOG.info("train: {} training and {} val images of {}x{}x{}; {}, {} epochs, {} workers x batch {}, "
        + "averaging every {} batches", trainCount, valCount, shape.height(), shape.width(),
        shape.channels(), config.model().type(), config.train().epochs(), config.train().workers(),
        config.train().batchSizePerWorker(), config.train().averagingFrequency());
    return new TrainData(shape, train, trainCount, val, valCount, pictureImages);
  }

  @Override
  public void run(SparkSession spark, AppConfig config, boolean overwrite) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopFiles files = new HadoopFiles(jsc.hadoopConfiguration());
    RunPaths paths = RunPaths.of(config);
    TrainData data = loadData(spark, jsc, config);
    if (overwrite) {
      files.delete(paths.runDir());
    }
    if (ModelConfig.VQVAE.equals(config.model().type())) {
      new VqVaeTraining(jsc, files, config, paths, data).run();
      data.unpersist();
      return;
    }
    new VaeTraining(jsc, files, config, paths, data).run();
    data.unpersist();
  }

  /** Evaluates a model on every partition of {@code val}; the model ships once as a broadcast. */
  public static EvalSums evaluate(JavaSparkContext jsc, byte[] modelZip, JavaRDD<byte[]> val, long seed) {
    Broadcast<byte[]> model = jsc.broadcast(modelZip);
    try {
      return val.mapPartitionsWithIndex((partition, pixels) -> {
        LoadedVae vae = ModelStore.fromBytes(model.value());
        return List.of(new VaeEvaluator(vae, SplitAssigner.mix64(seed, partition)).evaluate(pixels))
            .iterator();
      }, false).fold(EvalSums.ZERO, EvalSums::plus);
    } finally {
      model.destroy();
    }
  }
}
