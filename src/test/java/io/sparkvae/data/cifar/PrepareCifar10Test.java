package io.sparkvae.data.cifar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkvae.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prepare --dataset cifar10} on a fixture in the official binary format, then {@code train} on it. */
class PrepareCifar10Test {
  private static final int RECORDS = 40;
  @TempDir Path root;
  private final Cifar10Fixture fixture = new Cifar10Fixture(RECORDS, 11);

  private String[] args(String command, String... extra) {
    List<String> a = new ArrayList<>(List.of(command, "--set", "output-root=" + root.resolve("out"),
        "--set", "run-id=cifar", "--set", "spark.master=local[2]", "--set", "data.cifar10.val-count=30",
        "--set", "model.encoder-channels=[8,16]", "--set", "model.latent-dim=8",
        "--set", "train.epochs=2", "--set", "train.batch-size-per-worker=16",
        "--set", "train.averaging-frequency=2"));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  private static String[] run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
    return new String[] {String.valueOf(code), err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void archivePreparesEveryRecordWithItsLabelAndTrains() throws Exception {
    Path archive = Cifar10Fixture.writeTarGz(fixture.writeFolder(root.resolve("raw")),
        root.resolve(Cifar10Format.ARCHIVE));
    String[] r = run(args("prepare", "--dataset", "cifar10", "--input", archive.toString()));
    assertEquals("0", r[0], r[1]);

    Path prepared = root.resolve("out/prepared");
    JsonNode summary = new ObjectMapper().readTree(prepared.resolve("_dataset.json").toFile());
    assertEquals("cifar10", summary.get("dataset").asText());
    assertEquals(5 * RECORDS - 30, summary.get("counts").get("train").asInt());
    assertEquals(30, summary.get("counts").get("val").asInt());
    assertEquals(RECORDS, summary.get("counts").get("test").asInt());
    assertEquals(0, summary.get("rejects").asInt());
    assertEquals(3, summary.get("mean").size());
    assertEquals(3, summary.get("std").size());

    SparkSession spark = SparkSession.builder().master("local[1]").getOrCreate();
    try {
      List<Row> rows = spark.read().parquet(prepared.toString()).collectAsList();
      assertEquals(6 * RECORDS, rows.size());
      Map<String, Row> byId = new TreeMap<>();
      rows.forEach(row -> byId.put(row.getString(row.fieldIndex("id")), row));
      for (int b = 0; b < 6; b++) {
        String stem = Cifar10Format.allBatches().get(b).replace(".bin", "");
        for (int i = 0; i < RECORDS; i++) {
          Row row = byId.get(String.format("%s:%05d", stem, i));
          assertEquals(Cifar10Fixture.label(b, i), row.getInt(row.fieldIndex("label")));
          assertArrayEquals(Cifar10Format.toHwc(fixture.record(b, i), 0),
              (byte[]) row.get(row.fieldIndex("pixels")));
          String split = row.getString(row.fieldIndex("split"));
          assertTrue(b == 5 ? split.equals("test") : split.equals("train") || split.equals("val"), split);
          assertEquals(32, row.getInt(row.fieldIndex("height")));
          assertTrue(row.isNullAt(row.fieldIndex("attributes")));
        }
      }
      assertEquals(0, spark.read().parquet(prepared.resolve("_rejects").toString()).count());
    } finally {
      spark.stop();
    }

    r = run(args("train"));
    assertEquals("0", r[0], r[1]);
    assertEquals(2, Files.readAllLines(root.resolve("out/runs/cifar/metrics.jsonl")).size());
  }

  @Test
  void truncatedBatchIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path folder = fixture.writeFolder(root.resolve("raw"));
    byte[] bytes = Files.readAllBytes(folder.resolve("data_batch_5.bin"));
    Files.write(folder.resolve("data_batch_5.bin"), java.util.Arrays.copyOf(bytes, bytes.length - 1));
    String[] r = run(args("prepare", "--dataset", "cifar10", "--input", folder.toString()));
    assertEquals("2", r[0], r[1]);
    assertTrue(r[1].contains("prepare cannot use its input: " + folder.resolve("data_batch_5.bin")
        + ": 122919 bytes is not a multiple of the 3073-byte CIFAR-10 record"), r[1]);
    assertFalse(Files.exists(root.resolve("out")), "nothing written");
  }

  @Test
  void labelOutsideTheTenClassesFailsNamingRecordAndOffset() throws Exception {
    Path folder = fixture.writeFolder(root.resolve("raw"));
    byte[] bytes = Files.readAllBytes(folder.resolve("data_batch_3.bin"));
    bytes[4 * 3073] = (byte) 57;
    Files.write(folder.resolve("data_batch_3.bin"), bytes);
    String[] r = run(args("prepare", "--dataset", "cifar10", "--input", root.resolve("raw").toString()));
    assertEquals("1", r[0], r[1]);
    assertTrue(r[1].contains(folder.resolve("data_batch_3.bin") + ": record 4 at byte offset 12292 has "
        + "label 57; CIFAR-10 labels are 0-9"), r[1]);
    assertFalse(Files.exists(root.resolve("out/prepared")), "nothing committed");
    try (var s = Files.list(root.resolve("out"))) {
      assertEquals(List.of(root.resolve("out/runs")), s.toList(), "no temporary output left behind");
    }
    // only the step's record of the failure
    String record = Files.readString(root.resolve("out/runs/cifar/_steps/prepare/run.json"));
    assertTrue(record.contains("\"status\" : \"failed\"") && record.contains("label 57"), record);
  }

  @Test
  void missingInputIsAConfigProblem() {
    String[] r = run(args("prepare", "--dataset", "cifar10"));
    assertEquals("2", r[0], r[1]);
    assertTrue(r[1].contains("data.input: must be set when data.dataset = cifar10"), r[1]);
    r = run(args("prepare", "--dataset", "cifar10", "--input", root.resolve("nope").toString()));
    assertEquals("2", r[0], r[1]);
    assertTrue(r[1].contains("data.input: " + root.resolve("nope") + " does not exist"), r[1]);
  }
}
