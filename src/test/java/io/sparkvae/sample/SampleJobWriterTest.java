package io.sparkvae.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.io.PartitionParquet;
import io.sparkvae.io.Schemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the sampling job writes Parquet: no dictionary for latents, PNGs, ids and seeds; the defaults elsewhere. */
class SampleJobWriterTest {
  @Test
  void uniqueValuedColumnsAreNeverDictionaryEncoded(@TempDir Path dir) throws Exception {
    // values that repeat in every row, where Parquet would keep a dictionary by default: only the writer's
    // per-column settings can leave one out (with random latents the default falls back silently)
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < 200; i++) {
      rows.add(RowFactory.create("run", "vae", i, 7L, 4, 4, 3, new byte[] {1, 2, 3},
          new float[] {0.5f, 0.5f, 0.25f}, null, null, null));
    }
    SparkSession spark = SparkSession.builder().master("local[1]").appName("writer-test")
        .config("spark.ui.enabled", "false").getOrCreate();
    Path out = dir.resolve("samples");
    try {
      PartitionParquet.write(spark, spark.createDataFrame(rows, Schemas.SAMPLES).coalesce(1).queryExecution().toRdd()
          .toJavaRDD(), Schemas.SAMPLES, out.toString(), SampleJob.NO_DICTIONARY);
    } finally {
      spark.stop();
    }
    Map<String, Boolean> dictionary = dictionaryPages(out);
    assertFalse(dictionary.get("latent.list.element"), "latent: " + dictionary);
    assertFalse(dictionary.get("image_png"), "image_png: " + dictionary);
    assertFalse(dictionary.get("sample_id"), "sample_id: " + dictionary);
    assertFalse(dictionary.get("seed"), "seed (the same in every row here): " + dictionary);
    assertTrue(dictionary.get("run_id"), "run_id keeps Parquet's default dictionary: " + dictionary);
    assertTrue(dictionary.get("height"), "height keeps Parquet's default dictionary: " + dictionary);
  }

  /** Column path → whether its chunk in the one Parquet file under {@code dir} has a dictionary page. */
  private static Map<String, Boolean> dictionaryPages(Path dir) throws Exception {
    List<Path> parts;
    try (var files = Files.list(dir)) {
      parts = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList();
    }
    assertEquals(1, parts.size(), "Parquet files in " + dir);
    Map<String, Boolean> result = new HashMap<>();
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(parts.get(0).toUri()), new Configuration()))) {
      for (ColumnChunkMetaData c : reader.getFooter().getBlocks().get(0).getColumns()) {
        result.put(c.getPath().toDotString(), c.hasDictionaryPage());
      }
    }
    return result;
  }
}
