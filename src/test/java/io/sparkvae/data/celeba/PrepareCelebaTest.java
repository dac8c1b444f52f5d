package io.sparkvae.data.celeba;

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
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code prepare --dataset celeba} on fixtures in the official formats (JPEG folder or zip, partition and
 * attribute lists): good images become rows with their split and attributes, bad ones rejects with a
 * reason, file-level problems an error that names the file and writes nothing; then {@code train} on it.
 */
class PrepareCelebaTest {
  private static final String[] SPLITS = {"train", "val", "test"};
  @TempDir Path root;

  private String[] args(String command, String... extra) {
    List<String> a = new ArrayList<>(List.of(command, "--set", "output-root=" + root.resolve("out"),
        "--set", "run-id=celeba", "--set", "spark.master=local[2]", "--set", "data.dataset=celeba",
        "--set", "data.input=" + root.resolve("raw"), "--set", "data.celeba.image-size=16",
        "--set", "data.celeba.partitions=3",
        "--set", "model.encoder-channels=[8,16]", "--set", "model.latent-dim=8",
        "--set", "train.epochs=2", "--set", "train.batch-size-per-worker=4",
        "--set", "train.averaging-frequency=2"));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  private static String[] run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
    return new String[] {String.valueOf(code), err.toString(StandardCharsets.UTF_8)};
  }

  private Map<String, Row> preparedRows() {
    SparkSession spark = SparkSession.builder().master("local[1]").getOrCreate();
    try {
      Map<String, Row> byId = new TreeMap<>();
      spark.read().parquet(root.resolve("out/prepared").toString()).collectAsList()
          .forEach(r -> byId.put(r.getString(r.fieldIndex("id")), r));
      return byId;
    } finally {
      spark.stop();
    }
  }

  private Map<String, String> rejects() {
    SparkSession spark = SparkSession.builder().master("local[1]").getOrCreate();
    try {
      Map<String, String> out = new TreeMap<>();
      spark.read().parquet(root.resolve("out/prepared/_rejects").toString()).collectAsList()
          .forEach(r -> out.put(r.getString(0), r.getString(1)));
      return out;
    } finally {
      spark.stop();
    }
  }

  @Test
  void folderWithBadImagesKeepsTheGoodOnesAndListsTheRest() throws Exception {
    CelebaFixture fixture = CelebaFixture.builder(root.resolve("raw")).count(30).seed(5)
        .corrupt("000003.jpg").truncate("000005.jpg").grayscale("000007.jpg").cmyk("000009.jpg")
        .missingFromDisk("000011.jpg").unlisted("000031.jpg").write();
    String[] r = run(args("prepare", "--set", "prepare.max-reject-fraction=0.5"));
    assertEquals("0", r[0], r[1]);

    Map<String, Row> rows = preparedRows();
    assertEquals(new TreeSet<>(fixture.acceptedNames()), rows.keySet());
    assertTrue(rows.containsKey("000007.jpg"), "a grayscale JPEG is converted, not rejected");
    Map<String, CelebaFixture.Labels> expected = CelebaFixture.expectedLabels(fixture);
    for (Map.Entry<String, Row> e : rows.entrySet()) {
      Row row = e.getValue();
      assertEquals(SPLITS[expected.get(e.getKey()).split()], row.getString(row.fieldIndex("split")));
      assertEquals(expected.get(e.getKey()).attributes(), row.getList(row.fieldIndex("attributes")));
      assertEquals(16 * 16 * 3, ((byte[]) row.get(row.fieldIndex("pixels"))).length);
      assertTrue(row.isNullAt(row.fieldIndex("label")));
    }

    Path images = root.resolve("raw/img_align_celeba");
    Map<String, String> rejects = rejects();
    assertTrue(rejects.get(images.resolve("000003.jpg").toString()).contains("JPEG"), rejects.toString());
    assertTrue(rejects.get(images.resolve("000005.jpg").toString()).contains("truncated"), rejects.toString());
    assertEquals("listed in list_eval_partition.txt but not found in " + images,
        rejects.get(images.resolve("000011.jpg").toString()));
    assertEquals("not listed in list_eval_partition.txt", rejects.get(images.resolve("000031.jpg").toString()));
    assertEquals(30 - rows.size() + 1, rejects.size(), rejects.toString());

    JsonNode summary = new ObjectMapper().readTree(root.resolve("out/prepared/_dataset.json").toFile());
    assertEquals(rejects.size(), summary.get("rejects").asInt());
    assertEquals(40, summary.get("attributes").size());
    assertEquals(16, summary.get("height").asInt());
    int counted = 0;
    for (String split : SPLITS) {
      counted += summary.get("counts").path(split).asInt(0);
    }
    assertEquals(rows.size(), counted);
  }

  @Test
  void zipPreparesAndTrains() throws Exception {
    CelebaFixture fixture = CelebaFixture.builder(root.resolve("raw")).count(40).seed(9).zip().write();
    String[] r = run(args("prepare"));
    assertEquals("0", r[0], r[1]);
    assertEquals(fixture.acceptedNames(), preparedRows().keySet());
    assertEquals(0, rejects().size());
    r = run(args("train"));
    assertEquals("0", r[0], r[1]);
    assertEquals(2, Files.readAllLines(root.resolve("out/runs/celeba/metrics.jsonl")).size());
  }

  @Test
  void tooManyRejectsFailWithTheListAndWriteNothing() throws Exception {
    CelebaFixture.builder(root.resolve("raw")).count(10).corrupt("000002.jpg").truncate("000004.jpg").write();
    String[] r = run(args("prepare"));
    assertEquals("2", r[0], r[1]);
    assertTrue(r[1].contains("2 of 10 images rejected (20.0000%), more than prepare.max-reject-fraction = 0.001;"
        + " nothing was written"), r[1]);
    assertTrue(r[1].contains(root.resolve("raw/img_align_celeba/000004.jpg") + ": "), r[1]);
    assertFalse(Files.exists(root.resolve("out/prepared")));
    if (Files.exists(root.resolve("out"))) {
      try (var s = Files.list(root.resolve("out"))) {
        assertEquals(0, s.count(), "no temporary output left behind");
      }
    }
  }

  @Test
  void missingPartitionFileIsNamed() throws Exception {
    CelebaFixture.builder(root.resolve("raw")).count(4).withoutPartitionFile().write();
    String[] r = run(args("prepare"));
    assertEquals("2", r[0], r[1]);
    assertTrue(r[1].contains("data.input: " + root.resolve("raw") + " has no list_eval_partition.txt"), r[1]);
    assertFalse(Files.exists(root.resolve("out")));
  }

  @Test
  void malformedAttributeLineIsNamedWithLineAndOffset() throws Exception {
    CelebaFixture fixture = CelebaFixture.builder(root.resolve("raw")).count(6).malformedAttributeLine(4)
        .write();
    List<String> lines = Files.readAllLines(fixture.attributeFile());
    long offset = 0;
    for (int i = 0; i < 5; i++) {
      offset += lines.get(i).getBytes(StandardCharsets.US_ASCII).length + 1;
    }
    String[] r = run(args("prepare"));
    assertEquals("2", r[0], r[1]);
    assertTrue(r[1].contains(fixture.attributeFile() + " line 6 (byte offset " + offset + "): expected an "
        + "image name and 40 values of 1 or -1, found 39 value(s)"), r[1]);
    assertFalse(Files.exists(root.resolve("out")));
  }

  @Test
  void zipEntryEscapingTheFolderIsRefused() throws Exception {
    CelebaFixture fixture = CelebaFixture.builder(root.resolve("raw")).count(4).zip().zipEntryEscaping()
        .write();
    String[] r = run(args("prepare"));
    assertEquals("2", r[0], r[1]);
    assertTrue(r[1].contains(fixture.zipFile() + ": entry 'img_align_celeba/../../evil.jpg'"), r[1]);
    assertTrue(r[1].contains("escapes the folder the archive extracts into"), r[1]);
    assertFalse(Files.exists(root.resolve("out")));
  }
}
