package io.sparkvae.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvae.data.PreparedWriter;
import io.sparkvae.io.HadoopFiles;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/** Reads one split of a prepared dataset as raw pixel arrays. */
public final class PreparedData {
  private PreparedData() {}

  /** The image shape of a split; fails clearly when the split is empty or mixes shapes. */
  public static ImageShape shapeOf(SparkSession spark, String prepared, String split) {
    List<Row> shapes = split(spark, prepared, split).select("height", "width", "channels")
        .distinct().limit(2).collectAsList();
    if (shapes.isEmpty()) {
      throw new IllegalStateException("the " + split + " split of " + prepared + " has no images");
    }
    if (shapes.size() > 1) {
      throw new IllegalStateException("the " + split + " split of " + prepared
          + " mixes image shapes, e.g. " + shapes.get(0) + " and " + shapes.get(1));
    }
    Row r = shapes.get(0);
    return new ImageShape(r.getInt(0), r.getInt(1), r.getInt(2));
  }

  /** Pixels (HWC uint8) of a split, ordered by id, at most {@code limit} of them (0 = all). */
  public static JavaRDD<byte[]> pixels(SparkSession spark, String prepared, String split, long limit) {
    Dataset<Row> rows = split(spark, prepared, split).select("id", "pixels");
    if (limit > 0) {
      rows = rows.orderBy("id").limit((int) Math.min(Integer.MAX_VALUE, limit));
    }
    return rows.toJavaRDD().map(r -> (byte[]) r.get(1));
  }

  /** The number of images of a prepared dataset, all splits, as its summary ({@code _dataset.json}) counts them. */
  public static Optional<Long> count(HadoopFiles files, String prepared) {
    JsonNode counts = PreparedWriter.readSummary(files, prepared).map(s -> s.path("counts")).orElse(null);
    if (counts == null || !counts.isObject() || counts.isEmpty()) {
      return Optional.empty();
    }
    long n = 0;
    for (JsonNode c : counts) {
      n += c.asLong();
    }
    return Optional.of(n);
  }

  private static Dataset<Row> split(SparkSession spark, String prepared, String split) {
    return spark.read().parquet(prepared).where(functions.col("split").equalTo(split));
  }
}
