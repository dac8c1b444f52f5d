package io.sparkvae.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.PartitionParquet;
import io.sparkvae.io.Schemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contact sheet's samples, read straight from the written Parquet files. */
class FirstSamplesTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("first-samples-test")
        .config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** A row of the samples schema whose PNG bytes name its id. */
  private static Row sample(long id) {
    return RowFactory.create("run", "vae", id, 1000 + id, 1, 1, 3, png(id), new float[] {id}, null, null, null);
  }

  private static byte[] png(long id) {
    return ("png of sample " + id).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Writes the samples with these ids, in this order, into {@code partitions} files as the sampling job does. */
  private static String write(Path dir, List<Long> ids, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (long id : ids) {
      rows.add(sample(id));
    }
    String out = dir.resolve("samples").toString();
    PartitionParquet.write(spark, spark.createDataFrame(rows, Schemas.SAMPLES).repartition(partitions)
        .queryExecution().toRdd().toJavaRDD(), Schemas.SAMPLES, out, SampleJob.NO_DICTIONARY);
    return out;
  }

  @Test
  void readsTheFirstIdsInOrderAcrossFiles(@TempDir Path dir) throws Exception {
    // 300 ids, descending, dealt round-robin into 5 files: each file holds some of the first 64, out of order
    List<Long> ids = new ArrayList<>();
    for (long id = 299; id >= 0; id--) {
      ids.add(id);
    }
    String out = write(dir, ids, 5);
    try (var listed = Files.list(Path.of(out))) {
      assertEquals(5, listed.filter(f -> f.getFileName().toString().endsWith(".parquet")).count());
    }
    // what failed attempts and the commit leave beside the files is not read
    Files.writeString(Path.of(out, "_attempt-9-unfinished.parquet"), "not Parquet");
    List<byte[]> first = FirstSamples.pngs(HadoopFiles.local(), out, 64);
    assertEquals(64, first.size());
    for (int i = 0; i < 64; i++) {
      assertArrayEquals(png(i), first.get(i), "sample " + i);
    }
  }

  @Test
  void fewerSamplesThanTheSheetGivesThemAll(@TempDir Path dir) {
    String out = write(dir, List.of(4L, 2L, 0L, 1L, 3L), 2);
    List<byte[]> first = FirstSamples.pngs(HadoopFiles.local(), out, 64);
    assertEquals(5, first.size());
    for (int i = 0; i < 5; i++) {
      assertArrayEquals(png(i), first.get(i), "sample " + i);
    }
  }
}
