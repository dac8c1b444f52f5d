package io.sparkvae.sample;

import io.sparkvae.cli.Job;
import io.sparkvae.cli.JobProgress;
import io.sparkvae.config.AppConfig;
import io.sparkvae.config.SampleConfig;
import io.sparkvae.data.BadInputException;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.PartitionParquet;
import io.sparkvae.io.Hashes;
import io.sparkvae.io.RunPaths;
import io.sparkvae.io.Schemas;
import io.sparkvae.io.VqLineage;
import io.sparkvae.io.images.ContactSheet;
import io.sparkvae.io.images.PixelCodec;
import io.sparkvae.config.ModelConfig;
import io.sparkvae.model.vae.LatentMixture;
import io.sparkvae.model.vae.LatentMixtureJson;
import io.sparkvae.model.vae.VaeSpec;
import io.sparkvae.model.ImageSpec;
import io.sparkvae.model.RunModel;
import io.sparkvae.model.vae.ModelStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code sample}: generates {@code sample.count} images from the trained VAE into Parquet. */
public final class SampleJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(SampleJob.class);
  /** Samples on the contact sheet {@code samples.png}: the first 64 ids. */
  static final int SHEET_SAMPLES = 64;

  @Override
  public String description() {
    return "sample images from runs/<run-id>/model.zip into runs/<run-id>/samples/ (Parquet) "
        + "and samples.png";
  }

  @Override
  public List<String> inputs(AppConfig config) {
    RunPaths paths = RunPaths.of(config);
    if (ModelConfig.VQVAE.equals(config.model().type())) {
      return List.of(paths.model(), paths.prior());
    }
    return mixture(config) ? List.of(paths.model(), paths.latentPrior()) : List.of(paths.model());
  }

  @Override
  public List<String> outputs(AppConfig config) {
    RunPaths paths = RunPaths.of(config);
    return List.of(paths.samples(), paths.samplesSheet());
  }

  @Override
  public List<String> preflight(AppConfig config, boolean overwrite, HadoopFiles files) {
    List<String> problems = new ArrayList<>();
    RunPaths paths = RunPaths.of(config);
    if (!files.exists(paths.model())) {
      problems.add("run " + config.runId() + " has no model at " + paths.model()
          + " (run `train` first, or set run-id)");
    }
    if (ModelConfig.VQVAE.equals(config.model().type()) && !files.exists(paths.prior())) {
      problems.add("run " + config.runId() + " has no prior at " + paths.prior()
          + " (a VQ-VAE samples through its PixelCNN prior: run `encode` and `train-prior` first)");
    }
    if (mixture(config) && !files.exists(paths.latentPrior())) {
      problems.add("run " + config.runId() + " has no latent prior at " + paths.latentPrior() + " (sample.vae-prior "
          + "= mixture draws z from the mixture `train` fits when model.latent-prior.components is not [0]: train "
          + "again, or set sample.vae-prior = standard for N(0, I))");
    }
    if (!overwrite && files.exists(paths.samples())) {
      problems.add("samples already exist at " + paths.samples() + " (pass --overwrite to replace them)");
    }
    return problems;
  }

  @Override
  public void run(SparkSession spark, AppConfig config, boolean overwrite) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopFiles files = new HadoopFiles(jsc.hadoopConfiguration());
    RunPaths paths = RunPaths.of(config);
    SampleConfig s = config.sample();
    long t0 = System.nanoTime();
    // 1. ship the model (and a VQ-VAE's prior) once; each partition loads it once
    RunModel run = RunModel.read(files, config);
    byte[] modelBytes = run.bytes();
    ModelStore.Stored stored = run.stored();
    boolean vq = run.vq();
    if (vq) {
      VqLineage.check(files, paths.priorInfo(), Hashes.sha256(modelBytes), "the prior at "
          + files.qualify(paths.prior()), "run `encode --overwrite` and `train-prior --overwrite` first");
    }
    LatentMixture latentPrior = !vq && mixture(config)
        ? readLatentPrior(files, paths, ((VaeSpec) stored.spec()).latentDim()) : null;
    Broadcast<byte[]> model = vq ? jsc.broadcast(modelBytes) : null;
    Broadcast<byte[]> prior = vq ? jsc.broadcast(files.readBytes(paths.prior())) : null;
    Broadcast<SampleBlocks.Decoder> decoder = vq ? null
        : jsc.broadcast(SampleBlocks.Decoder.of(stored.graph(), (VaeSpec) stored.spec()));
    Broadcast<LatentMixture> mixture = latentPrior == null ? null : jsc.broadcast(latentPrior);
    // 2. fixed blocks of sample ids, spread over the partitions
    int blocks = SampleBlocks.blocks(s.count(), s.batchSize());
    List<Integer> blockIds = IntStream.range(0, blocks).boxed().toList();
    jsc.setJobDescription("sample: generate " + s.count() + " images");
    JavaRDD<Integer> ids = jsc.parallelize(blockIds, s.partitions());
    JobProgress progress = JobProgress.start(spark.sparkContext(), "sample", "images", s.count(), JobProgress.EVERY,
        LOG::info);
    JavaRDD<InternalRow> rows = vq
        ? ids.mapPartitions(new VqSampleBlocks(model, prior, config.runId(), s.count(), s.batchSize(), s.seed(),
            s.temperature(), progress.counter())::rows)
        : ids.mapPartitions(new SampleBlocks(decoder, mixture, config.runId(), s.count(), s.batchSize(), s.seed(),
            s.temperature(), progress.counter())::rows);
    // 3. write to a temporary sibling, then commit by rename
    String tmp = HadoopFiles.temporarySibling(paths.samples());
    try {
      long written = PartitionParquet.write(spark, rows, Schemas.SAMPLES, tmp, NO_DICTIONARY).rows();
      if (written != s.count()) {
        throw new IllegalStateException("the sampling job wrote " + written + " rows, not " + s.count());
      }
      files.replace(tmp, paths.samples());
    } finally {
      progress.close();
      if (files.exists(tmp)) {
        files.delete(tmp);
      }
      for (Broadcast<?> b : Arrays.asList(model, prior, decoder, mixture)) {
        if (b != null) {
          b.destroy();
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    // 4. a contact sheet of the first 64 samples, read back from the written files on the driver (FirstSamples:
    // ids are 0 .. count-1, so a filter on sample_id that Parquet's statistics answer, not a scan of every PNG)
    List<byte[]> first = new ArrayList<>();
    for (byte[] png : FirstSamples.pngs(files, paths.samples(), SHEET_SAMPLES)) {
      first.add(PixelCodec.fromBufferedImage(PixelCodec.decodePng(png)));
    }
    ImageSpec image = run.imageSpec();
    files.writeAtomically(paths.samplesSheet(), ContactSheet.gridPng(first, image.height(), image.width(),
        image.channels(), 8, Math.max(1, 96 / image.height()), 2));
    LOG.info("sample: {} images in {} s ({} img/s) at {}; contact sheet {}", s.count(),
        String.format("%.1f", seconds), String.format("%.0f", s.count() / seconds),
        files.qualify(paths.samples()), files.qualify(paths.samplesSheet()));
  }

  /** The run's fitted mixture; a file that is not one, or is over another latent size, is bad input (exit 2). */
  private static LatentMixture readLatentPrior(HadoopFiles files, RunPaths paths, int latentDim) {
    LatentMixture m;
    try {
      m = LatentMixtureJson.read(files.readString(paths.latentPrior()), paths.latentPrior());
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage() + " (train again to re-fit it)", e);
    }
    if (m.dim() != latentDim) {
      throw new BadInputException(paths.latentPrior() + " is over " + m.dim() + " dimensions but " + paths.model()
          + " has a " + latentDim + "-dimensional z (train again to re-fit it)");
    }
    LOG.info("sample: z from the {}-component Gaussian mixture of {}", m.components(),
        files.qualify(paths.latentPrior()));
    return m;
  }

  /** A VAE run sampling from its fitted mixture (sample.vae-prior = mixture). */
  private static boolean mixture(AppConfig config) {
    return ModelConfig.VAE.equals(config.model().type()) && SampleConfig.MIXTURE.equals(config.sample().vaePrior());
  }

  /**
   * The columns of the samples table written without a dictionary, as their values never repeat (the latents are
   * random floats, every PNG is different, ids are unique, seeds random). Parquet's writers try a dictionary first
   * and fall back only once it is full: for the latents that cost a tenth of the sampling job's time in a profile
   * of 10,000 samples (hashing every float into a map that is then thrown away), for the two long columns a few
   * percent.
   */
  public static final Set<String> NO_DICTIONARY = Set.of("latent.list.element", "image_png", "sample_id", "seed");
}
