package io.sparkvae.encode;

import io.sparkvae.cli.Job;
import io.sparkvae.cli.JobProgress;
import io.sparkvae.config.AppConfig;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.Hashes;
import io.sparkvae.io.RunPaths;
import io.sparkvae.io.Schemas;
import io.sparkvae.io.SparkRows;
import io.sparkvae.io.VqLineage;
import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.model.vae.ModelStore;
import io.sparkvae.model.vqvae.Codebooks;
import io.sparkvae.model.vqvae.VqVaeGraphs;
import io.sparkvae.model.vqvae.VqVaeSpec;
import io.sparkvae.train.PreparedData;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code encode}: the trained VQ-VAE's code grid of every prepared image, as Parquet partitioned by split under
 * {@code runs/<run-id>/codes/}. The model is shipped once (broadcast) and loaded once per partition.
 */
public final class EncodeJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(EncodeJob.class);
  private static final int BATCH = 256;

  @Override
  public String description() {
    return "encode data.prepared with the run's VQ-VAE into runs/<run-id>/codes/ (Parquet code grids)";
  }

  @Override
  public List<String> inputs(AppConfig config) {
    return List.of(RunPaths.of(config).model(), config.data().prepared());
  }

  @Override
  public List<String> outputs(AppConfig config) {
    return List.of(RunPaths.of(config).codes());
  }

  @Override
  public List<String> preflight(AppConfig config, boolean overwrite, HadoopFiles files) {
    List<String> problems = new ArrayList<>();
    RunPaths paths = RunPaths.of(config);
    if (!files.exists(paths.model())) {
      problems.add("run " + config.runId() + " has no model at " + paths.model()
          + " (train it first with model.type = vqvae, or set run-id)");
    }
    if (!files.exists(config.data().prepared())) {
      problems.add("data.prepared: no prepared dataset at " + config.data().prepared() + " (run `prepare` first)");
    }
    if (!overwrite && files.exists(paths.codes())) {
      problems.add("codes already exist at " + paths.codes() + " (pass --overwrite to replace them)");
    }
    return problems;
  }

  @Override
  public void run(SparkSession spark, AppConfig config, boolean overwrite) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopFiles files = new HadoopFiles(jsc.hadoopConfiguration());
    RunPaths paths = RunPaths.of(config);
    long t0 = System.nanoTime();
    byte[] modelBytes = files.readBytes(paths.model());
    VqVaeSpec spec = vqSpec(ModelStore.fromBytesAny(modelBytes).spec(), paths.model());
    jsc.setJobDescription("encode: " + config.data().prepared() + " into code grids");
    var prepared = spark.read().parquet(config.data().prepared()).select("id", "split", "pixels");
    // a dataset without a summary is counted first, by a scan that may fail: before anything needs closing
    long total = PreparedData.count(files, config.data().prepared()).orElseGet(prepared::count);
    Broadcast<byte[]> model = jsc.broadcast(modelBytes);
    JobProgress progress = JobProgress.start(spark.sparkContext(), "encode", "images", total, JobProgress.EVERY,
        LOG::info);
    String tmp = HadoopFiles.temporarySibling(paths.codes());
    try {
      JavaRDD<Row> rows = prepared.toJavaRDD().mapPartitions(new Encoder(model, spec, progress.counter())::rows);
      spark.createDataFrame(rows, Schemas.CODES).write().option("compression", "zstd").partitionBy("split")
          .parquet(tmp);
      VqLineage.write(files, tmp + "/" + VqLineage.CODES_INFO, Hashes.sha256(modelBytes));
      files.replace(tmp, paths.codes());
    } finally {
      progress.close();
      if (files.exists(tmp)) {
        files.delete(tmp);
      }
      model.destroy();
    }
    long count = spark.read().parquet(paths.codes()).count();
    LOG.info("encode: {} images into {}x{} code grids in {} s at {}", count, spec.codeHeight(), spec.codeWidth(),
        String.format("%.1f", (System.nanoTime() - t0) / 1e9), files.qualify(paths.codes()));
  }

  /** The VQ-VAE spec stored in a model zip; a clear error when the run holds another kind of model. */
  public static VqVaeSpec vqSpec(Object spec, String where) {
    if (spec instanceof VqVaeSpec v) {
      return v;
    }
    throw new IllegalArgumentException(where + " holds a " + spec.getClass().getSimpleName()
        + ", not a VQ-VAE: encode, train-prior and VQ sampling need a run trained with model.type = vqvae");
  }

  /** On an executor: batches of prepared rows through the encoder and the nearest-code search. */
  private record Encoder(Broadcast<byte[]> model, VqVaeSpec spec, LongAccumulator progress)
      implements java.io.Serializable {
    Iterator<Row> rows(Iterator<Row> prepared) {
      if (!prepared.hasNext()) {
        return List.<Row>of().iterator();
      }
      ComputationGraph graph = ModelStore.fromBytesAny(model.value()).graph();
      ComputationGraph encoder = VqVaeGraphs.encoder(graph, spec);
      INDArray codebook = Codebooks.codebook(graph);
      int positions = spec.codeHeight() * spec.codeWidth();
      List<Row> out = new ArrayList<>();
      List<Row> chunk = new ArrayList<>(BATCH);
      while (prepared.hasNext()) {
        chunk.add(prepared.next());
        if (chunk.size() == BATCH || !prepared.hasNext()) {
          List<byte[]> pixels = new ArrayList<>(chunk.size());
          chunk.forEach(r -> pixels.add((byte[]) r.get(2)));
          INDArray ze = encoder.outputSingle(false, ImageTensors.toBatch(pixels, spec.height(), spec.width(),
              spec.channels()));
          int[] codes = Codebooks.nearest(Codebooks.rows(ze), codebook);
          for (int i = 0; i < chunk.size(); i++) {
            List<Integer> grid = new ArrayList<>(positions);
            for (int p = 0; p < positions; p++) {
              grid.add(codes[i * positions + p]);
            }
            out.add(RowFactory.create(chunk.get(i).getString(0), chunk.get(i).getString(1), SparkRows.seq(grid),
                spec.codeHeight(), spec.codeWidth()));
          }
          progress.add(chunk.size());
          chunk.clear();
        }
      }
      return out.iterator();
    }
  }
}
