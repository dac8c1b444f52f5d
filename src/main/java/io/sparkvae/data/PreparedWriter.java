package io.sparkvae.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkvae.config.PrepareConfig;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.Schemas;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes prepared-schema rows as a complete dataset or not at all: Parquet (zstd) partitioned by split into a
 * temporary sibling, then the rejects table {@code _rejects/} and the summary {@code _dataset.json} (counts per
 * split, per-channel mean and std of the train split, rejects) beside the data, then one rename. The leading
 * underscore makes Spark's Parquet reader skip both. Too many rejects fail the job before the rename.
 */
public final class PreparedWriter {
  private static final Logger LOG = LoggerFactory.getLogger(PreparedWriter.class);
  /** The summary written inside the prepared directory. */
  public static final String SUMMARY = "_dataset.json";
  /** The table of skipped images (path, reason) inside the prepared directory. */
  public static final String REJECTS = "_rejects";
  private static final int REJECTS_SHOWN = 10;

  private final SparkSession spark;
  private final HadoopFiles files;
  private final PrepareConfig config;

  public PreparedWriter(SparkSession spark, HadoopFiles files, PrepareConfig config) {
    this.spark = spark;
    this.files = files;
    this.config = config;
  }

  /** Uncompressed bytes aimed at per Parquet file. */
  public long targetFileBytes() {
    return config.targetFileBytes();
  }

  /**
   * Writes {@code rows} to {@code target}.
   *
   * @param bytesPerImage uncompressed pixel bytes of one image, to size the files
   * @param rejects read after the rows are written (the executors find rejects while writing)
   * @param details extra fields of the summary (dataset, source, settings)
   * @return the summary that was written
   */
  public Map<String, Object> write(Dataset<Row> rows, String target, long bytesPerImage,
      Supplier<List<Reject>> rejects, Map<String, Object> details) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String tmp = HadoopFiles.temporarySibling(target);
    try {
      long perFile = Math.max(1, config.targetFileBytes() / Math.max(1, bytesPerImage));
      rows.write().option("compression", "zstd").option("maxRecordsPerFile", perFile)
          .partitionBy("split").parquet(tmp);
      List<Reject> rejected = new ArrayList<>(rejects.get());
      rejected.sort(Comparator.comparing(Reject::path));
      jsc.setJobDescription("prepare: count rows per split and channel statistics");
      Dataset<Row> written = spark.read().parquet(tmp);
      Map<String, Long> counts = new TreeMap<>();
      for (Row r : written.groupBy("split").count().collectAsList()) {
        counts.put(r.getString(0), r.getLong(1));
      }
      long accepted = counts.values().stream().mapToLong(Long::longValue).sum();
      checkRejects(rejected, accepted);
      spark.createDataFrame(toRows(rejected), Schemas.REJECTS).coalesce(1).write()
          .mode(SaveMode.ErrorIfExists).parquet(tmp + "/" + REJECTS);
      Map<String, Object> summary = new LinkedHashMap<>(details);
      summary.put("counts", counts);
      Row shape = written.select("height", "width", "channels").first();
      summary.put("height", shape.getInt(0));
      summary.put("width", shape.getInt(1));
      summary.put("channels", shape.getInt(2));
      summary.putAll(ChannelStats.of(written.where(functions.col("split").equalTo(SplitAssigner.TRAIN)),
          shape.getInt(2)).toJson());
      summary.put("rejects", rejected.size());
      files.writeString(tmp + "/" + SUMMARY, json(summary));
      files.replace(tmp, target);
      LOG.info("prepared {} images at {}: {}; {} rejected{}", accepted, files.qualify(target), counts,
          rejected.size(), rejected.isEmpty() ? "" : " (see " + target + "/" + REJECTS + ")");
      return summary;
    } finally {
      if (files.exists(tmp)) {
        files.delete(tmp);
      }
    }
  }

  private void checkRejects(List<Reject> rejected, long accepted) {
    long total = accepted + rejected.size();
    double fraction = total == 0 ? 1.0 : rejected.size() / (double) total;
    if (total == 0 || fraction > config.maxRejectFraction()) {
      StringBuilder b = new StringBuilder(String.format(
          "%d of %d images rejected (%.4f%%), more than prepare.max-reject-fraction = %s; nothing was "
          + "written. First rejects:", rejected.size(), total, 100 * fraction, config.maxRejectFraction()));
      for (Reject r : rejected.subList(0, Math.min(REJECTS_SHOWN, rejected.size()))) {
        b.append("\n    ").append(r.path()).append(": ").append(r.reason());
      }
      if (rejected.size() > REJECTS_SHOWN) {
        b.append("\n    ... and ").append(rejected.size() - REJECTS_SHOWN).append(" more");
      }
      throw new BadInputException(b.toString());
    }
  }

  private JavaRDD<Row> toRows(List<Reject> rejected) {
    List<Row> rows = new ArrayList<>();
    for (Reject r : rejected) {
      rows.add(RowFactory.create(r.path(), r.reason()));
    }
    return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 1);
  }

  /**
   * The summary ({@link #SUMMARY}) of the prepared dataset at {@code prepared}, or empty when there is none or it
   * cannot be read as JSON.
   */
  public static Optional<JsonNode> readSummary(HadoopFiles files, String prepared) {
    String path = prepared + "/" + SUMMARY;
    try {
      return files.exists(path) ? Optional.of(new ObjectMapper().readTree(files.readString(path)))
          : Optional.empty();
    } catch (JsonProcessingException | RuntimeException e) {
      return Optional.empty();
    }
  }

  static String json(Map<String, Object> summary) {
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
