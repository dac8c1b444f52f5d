package io.sparkvae.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-partition Parquet writer: Spark's files, whole or absent, every row once. */
class PartitionParquetTest {
  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("name", DataTypes.StringType, false)
      .add("values", DataTypes.createArrayType(DataTypes.FloatType, false), true)
      .add("png", DataTypes.BinaryType, false)
      .add("note", DataTypes.StringType, true);
  private static final int ROWS = 300;

  private static SparkSession spark;
  private static JavaSparkContext jsc;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    // local[2, 2]: a failed task is tried once more, as on a cluster
    spark = SparkSession.builder().master("local[2, 2]").appName("partition-parquet-test")
        .config("spark.ui.enabled", "false").getOrCreate();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static InternalRow row(long id) {
    return new GenericInternalRow(new Object[] {id, UTF8String.fromString("row " + id),
        id % 7 == 0 ? null : UnsafeArrayData.fromPrimitiveArray(new float[] {id, id / 3f, -id}),
        new byte[] {(byte) id, 1, 2}, id % 2 == 0 ? UTF8String.fromString("even") : null});
  }

  /** Rows 0 .. ROWS-1 over {@code partitions} partitions; the last {@code empty} partitions have none. */
  private static JavaRDD<InternalRow> rows(int partitions, int empty) {
    int full = partitions - empty;
    return jsc.parallelize(List.of(0), partitions).mapPartitionsWithIndex((p, ignored) -> {
      List<InternalRow> out = new ArrayList<>();
      if (p < full) {
        LongStream.range(0, ROWS).filter(id -> id % full == p).forEach(id -> out.add(row(id)));
      }
      return out.iterator();
    }, false);
  }

  private List<String> names(Path d) throws Exception {
    try (var list = Files.list(d)) {
      return list.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
    }
  }

  private static List<String> sortedRows(String d) {
    return spark.read().parquet(d).collectAsList().stream().sorted((a, b) -> Long.compare(a.getLong(0), b.getLong(0)))
        .map(PartitionParquetTest::text).toList();
  }

  /** A row as text, the bytes of a binary field included. */
  private static String text(Row r) {
    List<String> fields = new ArrayList<>();
    for (int i = 0; i < r.size(); i++) {
      fields.add(r.get(i) instanceof byte[] b ? Arrays.toString(b) : String.valueOf(r.get(i)));
    }
    return fields.toString();
  }

  private static ParquetMetadata footer(Path file) throws Exception {
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      return reader.getFooter();
    }
  }

  @Test
  void writesTheFilesSparksOwnWriterMakes() throws Exception {
    String ours = dir.resolve("ours").toString();
    String sparks = dir.resolve("sparks").toString();
    PartitionParquet.Written written = PartitionParquet.write(spark, rows(3, 0), SCHEMA, ours, Set.of());
    spark.internalCreateDataFrame(rows(3, 0).rdd(), SCHEMA, false).write().option("compression", "zstd")
        .parquet(sparks);

    assertEquals(ROWS, written.rows());
    assertEquals(3, written.files().size(), written.toString());
    List<String> names = names(Path.of(ours));
    assertTrue(names.contains("_SUCCESS"), names.toString());
    assertEquals(written.files().keySet(), names.stream().filter(n -> n.startsWith("part-")).collect(
        Collectors.toSet()), "the directory holds exactly the files written, and _SUCCESS: " + names);
    assertTrue(names.stream().allMatch(n -> n.equals("_SUCCESS") || n.matches("part-0000[0-2]-.*\\.zstd\\.parquet")),
        names.toString());

    // the same table, to Spark: schema (nullability included, from the footer's Spark metadata) and rows
    assertEquals(spark.read().parquet(sparks).schema(), spark.read().parquet(ours).schema());
    assertEquals(SCHEMA.asNullable(), spark.read().parquet(ours).schema().asNullable());
    assertEquals(sortedRows(sparks), sortedRows(ours));
    assertEquals(ROWS, sortedRows(ours).size());

    // and the same files: Parquet schema, key-value metadata (Spark's schema and version), codec
    ParquetMetadata a = footer(Path.of(ours, written.files().keySet().iterator().next()));
    Path sparkFile;
    try (var list = Files.list(Path.of(sparks))) {
      sparkFile = list.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    ParquetMetadata b = footer(sparkFile);
    assertEquals(b.getFileMetaData().getSchema(), a.getFileMetaData().getSchema());
    assertEquals(b.getFileMetaData().getKeyValueMetaData(), a.getFileMetaData().getKeyValueMetaData());
    assertEquals(b.getBlocks().get(0).getColumns().get(0).getCodec(), a.getBlocks().get(0).getColumns().get(0)
        .getCodec());
  }

  @Test
  void emptyPartitionsGetNoFileButAnEmptyTableKeepsItsSchema() throws Exception {
    String some = dir.resolve("some").toString();
    PartitionParquet.Written written = PartitionParquet.write(spark, rows(4, 2), SCHEMA, some, Set.of());
    assertEquals(2, written.files().size(), written.toString());
    assertEquals(ROWS, spark.read().parquet(some).count());

    String none = dir.resolve("none").toString();
    PartitionParquet.Written nothing = PartitionParquet.write(spark, rows(3, 3), SCHEMA, none, Set.of());
    assertEquals(Map.of(nothing.files().keySet().iterator().next(), 0L), nothing.files());
    assertEquals(SCHEMA.asNullable(), spark.read().parquet(none).schema().asNullable());
    assertEquals(0, spark.read().parquet(none).count());
  }

  @Test
  void aFailedAttemptIsTriedAgainAndLeavesNothingBehind() throws Exception {
    String out = dir.resolve("retried").toString();
    // partition 1's first attempt dies after 50 of its rows have gone into its file
    JavaRDD<InternalRow> failing = rows(2, 0).mapPartitionsWithIndex(PartitionParquetTest::failFirstAttempt, false);
    PartitionParquet.Written written = PartitionParquet.write(spark, failing, SCHEMA, out, Set.of());

    assertEquals(ROWS, written.rows());
    List<String> names = names(Path.of(out));
    assertFalse(names.stream().anyMatch(n -> n.startsWith("_attempt")), "the failed attempt's file is gone: " + names);
    assertEquals(3, names.size(), "two part files and _SUCCESS: " + names);
    List<Long> ids = spark.read().parquet(out).select("id").collectAsList().stream().map(r -> r.getLong(0)).sorted()
        .toList();
    assertEquals(LongStream.range(0, ROWS).boxed().toList(), ids, "every row once");
  }

  /** Partition 1's rows, except that its first attempt throws after 50 of them. */
  private static Iterator<InternalRow> failFirstAttempt(int partition, Iterator<InternalRow> rows) {
    if (partition != 1 || TaskContext.get().attemptNumber() > 0) {
      return rows;
    }
    return new Iterator<>() {
      private int n;

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public InternalRow next() {
        if (++n > 50) {
          throw new IllegalStateException("injected failure of the first attempt");
        }
        return rows.next();
      }
    };
  }

  @Test
  void refusesADirectoryThatExists() throws Exception {
    Path existing = Files.createDirectories(dir.resolve("existing"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PartitionParquet.write(spark, rows(2, 0), SCHEMA, existing.toString(), Set.of()));
    assertEquals("will not write Parquet into " + existing + ": it already exists", e.getMessage());
  }
}
