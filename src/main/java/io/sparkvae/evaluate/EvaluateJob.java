package io.sparkvae.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvae.cli.Job;
import io.sparkvae.config.AppConfig;
import io.sparkvae.config.EvaluateConfig;
import io.sparkvae.data.BadInputException;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.Hashes;
import io.sparkvae.io.RunPaths;
import io.sparkvae.model.ImageSpec;
import io.sparkvae.model.RunModel;
import io.sparkvae.model.vae.LoadedVae;
import io.sparkvae.model.vae.ModelStore;
import io.sparkvae.model.vae.VaeSpec;
import io.sparkvae.model.vqvae.VqVaeSpec;
import io.sparkvae.model.vae.Likelihood;
import io.sparkvae.train.EpochMetrics;
import io.sparkvae.train.ImageShape;
import io.sparkvae.train.PreparedData;
import io.sparkvae.train.TrainJob;
import io.sparkvae.train.TrainingPlots;
import io.sparkvae.train.VqEpochMetrics;
import io.sparkvae.train.VqVaeTraining;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code evaluate}: the run's trained model scored on one split of the prepared dataset ({@code evaluate.split},
 * the test split by default), the images spread over the executors and the model shipped once. Writes
 * {@code runs/<run-id>/eval.json} (a VAE's −ELBO, bits per dimension, KL and reconstruction PSNR; a VQ-VAE's
 * reconstruction PSNR, perplexity and codebook usage) and {@code plots/eval-reconstructions.png}.
 */
public final class EvaluateJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Images shown beside their reconstructions. */
  private static final int PICTURES = 32;

  @Override
  public String description() {
    return "score the run's model on a split of data.prepared (evaluate.split, test by default) into "
        + "runs/<run-id>/eval.json";
  }

  @Override
  public List<String> inputs(AppConfig config) {
    return List.of(RunPaths.of(config).model(), config.data().prepared());
  }

  @Override
  public List<String> outputs(AppConfig config) {
    RunPaths paths = RunPaths.of(config);
    return List.of(paths.eval(), paths.evalReconstructions());
  }

  @Override
  public List<String> preflight(AppConfig config, boolean overwrite, HadoopFiles files) {
    List<String> problems = new ArrayList<>();
    RunPaths paths = RunPaths.of(config);
    if (!files.exists(paths.model())) {
      problems.add("run " + config.runId() + " has no model at " + paths.model() + " (train it first, or set run-id)");
    }
    if (!files.exists(config.data().prepared())) {
      problems.add("data.prepared: no prepared dataset at " + config.data().prepared() + " (run `prepare` first)");
    }
    if (!overwrite && files.exists(paths.eval())) {
      problems.add("an evaluation already exists at " + paths.eval() + " (pass --overwrite to replace it)");
    }
    return problems;
  }

  @Override
  public void run(SparkSession spark, AppConfig config, boolean overwrite) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopFiles files = new HadoopFiles(jsc.hadoopConfiguration());
    RunPaths paths = RunPaths.of(config);
    EvaluateConfig e = config.evaluate();
    String prepared = config.data().prepared();
    long t0 = System.nanoTime();
    RunModel run = RunModel.read(files, config);
    byte[] modelZip = run.bytes();
    ModelStore.Stored stored = run.stored();
    boolean vq = run.vq();
    ImageShape shape = splitShape(spark, prepared, e.split());
    ImageSpec image = run.imageSpec();
    ImageShape modelShape = new ImageShape(image.height(), image.width(), image.channels());
    if (!shape.equals(modelShape)) {
      throw new BadInputException("the " + e.split() + " split of " + prepared + " holds " + describe(shape)
          + " images but the model of run " + config.runId() + " takes " + describe(modelShape)
          + " (set data.prepared to the dataset it was trained on)");
    }
    jsc.setJobDescription("evaluate: the " + e.split() + " split");
    JavaRDD<byte[]> pixels = PreparedData.pixels(spark, prepared, e.split(), e.maxImages())
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    try {
      List<byte[]> pictures = pixels.take(PICTURES);
      ObjectNode out = JSON.createObjectNode();
      out.put("run_id", config.runId());
      out.put("model", vq ? "vqvae" : "vae");
      out.put("split", e.split());
      out.put("prepared", files.qualify(prepared));
      out.put("model_sha256", Hashes.sha256(modelZip));
      String summary;
      if (vq) {
        VqVaeSpec spec = (VqVaeSpec) stored.spec();
        VqEpochMetrics m = VqEpochMetrics.of(0, 0, Double.NaN, VqVaeTraining.evaluate(jsc, modelZip, pixels, spec),
            spec, 0, Double.NaN, Double.NaN);
        out.put("images", m.valImages());
        out.put("mse", m.valMse());
        out.put("psnr_db", m.valPsnr());
        out.put("perplexity", m.valPerplexity());
        out.put("codebook_usage", m.codebookUsage());
        files.writeAtomically(paths.evalReconstructions(),
            VqVaeTraining.reconstructionsPng(stored.graph(), spec, pictures));
        summary = String.format(Locale.ROOT, "PSNR %.2f dB, perplexity %.1f, codes used %.1f%%", m.valPsnr(),
            m.valPerplexity(), 100 * m.codebookUsage());
      } else {
        VaeSpec spec = (VaeSpec) stored.spec();
        EpochMetrics m = EpochMetrics.of(0, 0, Double.NaN, 1.0, TrainJob.evaluate(jsc, modelZip, pixels,
            spec.seed()), shape, spec.likelihood() == Likelihood.GAUSSIAN, Double.NaN, Double.NaN);
        out.put("images", m.valImages());
        out.put("neg_elbo_nats", m.valNegElbo());
        out.put("bits_per_dim", m.valBitsPerDim());
        out.put("recon_nll_nats", m.valReconNll());
        out.put("kl_nats", m.valKl());
        out.put("mse", m.valMse());
        out.put("psnr_db", m.valPsnr());
        new TrainingPlots(files, paths.plots()).reconstructions(new LoadedVae(stored.graph(), spec), pictures,
            spec.seed(), "eval-reconstructions.png");
        summary = String.format(Locale.ROOT, "-ELBO %.1f nats/image (%.3f bits/dim), KL %.1f, PSNR %.2f dB",
            m.valNegElbo(), m.valBitsPerDim(), m.valKl(), m.valPsnr());
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      out.put("seconds", Math.round(seconds * 10) / 10.0);
      files.writeAtomically(paths.eval(), (JSON.writeValueAsString(out) + "\n").getBytes(
          java.nio.charset.StandardCharsets.UTF_8));
      LOG.info("evaluate: {} images of the {} split in {} s: {}; {}", out.path("images").asLong(), e.split(),
          String.format(Locale.ROOT, "%.1f", seconds), summary, files.qualify(paths.eval()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    } finally {
      pixels.unpersist();
    }
  }

  /** The split's image shape; a split with no images is bad input (exit 2), not a failure. */
  private static ImageShape splitShape(SparkSession spark, String prepared, String split) {
    try {
      return PreparedData.shapeOf(spark, prepared, split);
    } catch (IllegalStateException ex) {
      throw new BadInputException(ex.getMessage() + " (choose another evaluate.split, or prepare with a "
          + split + " split)", ex);
    }
  }

  private static String describe(ImageShape s) {
    return s.height() + "x" + s.width() + "x" + s.channels();
  }
}
