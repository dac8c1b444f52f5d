package io.sparkvae.data;

import io.sparkvae.cli.Job;
import io.sparkvae.config.AppConfig;
import io.sparkvae.config.SyntheticConfig;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.Schemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code prepare}: writes a dataset in the prepared schema, partitioned by split, committed by rename. */
public final class PrepareJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(PrepareJob.class);
  /** The summary written inside the prepared directory: counts per split, image shape, seed. */
  public static final String SUMMARY = "_dataset.json";

  @Override
  public String description() {
    return "generate the synthetic shapes dataset (data.synthetic.*) into data.prepared as Parquet";
  }

  @Override
  public List<String> preflight(AppConfig config, boolean overwrite, HadoopFiles files) {
    List<String> problems = new ArrayList<>();
    if (!overwrite && files.exists(config.data().prepared())) {
      problems.add("data.prepared: " + config.data().prepared()
          + " already exists (pass --overwrite to replace it)");
    }
    return problems;
  }

  @Override
  public void run(SparkSession spark, AppConfig config, boolean overwrite) {
    SyntheticConfig synth = config.data().synthetic();
    HadoopFiles files = new HadoopFiles(spark.sparkContext().hadoopConfiguration());
    String target = config.data().prepared();
    String tmp = HadoopFiles.temporarySibling(target);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // 1. one task per range of image indices; each image depends only on (seed, index)
    jsc.setJobDescription("prepare: generate " + synth.count() + " synthetic images");
    List<long[]> ranges = ranges(synth.count(), synth.partitions());
    JavaRDD<Row> rows = jsc.parallelize(ranges, ranges.size())
        .flatMap(new SyntheticRows(synth)::rows);
    Dataset<Row> df = spark.createDataFrame(rows, Schemas.PREPARED);
    // 2. write to a temporary sibling with its summary, then commit by rename: readers never see
    //    half a dataset. The summary's name starts with '_' so Spark's readers skip it.
    Map<String, Long> counts = new TreeMap<>();
    try {
      df.write().option("compression", "zstd").partitionBy("split").parquet(tmp);
      jsc.setJobDescription("prepare: count rows per split");
      for (Row r : spark.read().parquet(tmp).groupBy("split").count().collectAsList()) {
        counts.put(r.getString(0), r.getLong(1));
      }
      files.writeString(tmp + "/" + SUMMARY, datasetJson(synth, counts));
      files.replace(tmp, target);
    } finally {
      if (files.exists(tmp)) {
        files.delete(tmp);
      }
    }
    LOG.info("prepared {} synthetic {}x{} images at {}: {}", synth.count(), synth.imageSize(),
        synth.imageSize(), files.qualify(target), counts);
  }

  static List<long[]> ranges(long count, int parts) {
    List<long[]> out = new ArrayList<>();
    int n = (int) Math.max(1, Math.min(parts, count));
    for (int p = 0; p < n; p++) {
      out.add(new long[] {count * p / n, count * (p + 1) / n});
    }
    return out;
  }

  private static String datasetJson(SyntheticConfig synth, Map<String, Long> counts) {
    StringBuilder b = new StringBuilder("{\n  \"dataset\": \"synthetic\",\n");
    b.append("  \"height\": ").append(synth.imageSize()).append(",\n  \"width\": ")
        .append(synth.imageSize()).append(",\n  \"channels\": 3,\n  \"seed\": ").append(synth.seed())
        .append(",\n  \"counts\": {");
    String sep = "";
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      b.append(sep).append('"').append(e.getKey()).append("\": ").append(e.getValue());
      sep = ", ";
    }
    return b.append("}\n}\n").toString();
  }
}
