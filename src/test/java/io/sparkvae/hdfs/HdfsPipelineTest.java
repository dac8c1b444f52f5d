package io.sparkvae.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.cli.Main;
import io.sparkvae.e2e.TinyVaeRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline with HDFS as its only storage: a {@code MiniDFSCluster} (a real NameNode and DataNode in this JVM)
 * holds the prepared data, the checkpoints, the step records and every output. Training stops after one epoch
 * and a rerun resumes from the checkpoint on HDFS.
 */
class HdfsPipelineTest {
  @TempDir static Path base;
  private static MiniDFSCluster dfs;
  private static String root;
  private static FileSystem fs;

  @BeforeAll
  static void startHdfs() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.resolve("dfs").toString());
    dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    dfs.waitActive();
    fs = dfs.getFileSystem();
    root = "hdfs://127.0.0.1:" + dfs.getNameNodePort() + "/spark-vae";
  }

  @AfterAll
  static void stopHdfs() {
    if (dfs != null) {
      dfs.shutdown(true);
    }
  }

  private static String[] args(String command, String... extra) {
    List<String> a = TinyVaeRun.args(command, root, "hdfs");
    a.addAll(List.of("--set", "sample.count=30", "--set", "sample.partitions=2", "--set", "sample.batch-size=8"));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  private static String run(int expected, String command, String... extra) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args(command, extra), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
    String e = err.toString(StandardCharsets.UTF_8);
    assertEquals(expected, code, command + ": " + e);
    return e;
  }

  private static org.apache.hadoop.fs.Path p(String relative) {
    return new org.apache.hadoop.fs.Path(root + "/" + relative);
  }

  private static List<String> names(String relative) throws Exception {
    List<String> names = new ArrayList<>();
    for (FileStatus s : fs.listStatus(p(relative))) {
      names.add(s.getPath().getName());
    }
    names.sort(String::compareTo);
    return names;
  }

  @Test
  void preparesTrainsResumesAndSamplesOnHdfs() throws Exception {
    run(0, "prepare");
    assertTrue(fs.exists(p("prepared/_dataset.json")));
    assertTrue(fs.exists(p("prepared/split=train")));

    run(0, "train", "--set", "train.epochs=1");
    assertEquals(List.of("epoch-000001"), names("runs/hdfs/checkpoints"));
    run(0, "train", "--set", "train.epochs=2");
    assertEquals(List.of("epoch-000001", "epoch-000002"), names("runs/hdfs/checkpoints"));
    String metrics;
    try (var in = fs.open(p("runs/hdfs/metrics.jsonl"))) {
      metrics = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(2, metrics.lines().count(), metrics);
    assertTrue(metrics.lines().toList().get(1).startsWith("{\"epoch\":2,"), metrics);
    assertTrue(fs.getFileStatus(p("runs/hdfs/model.zip")).getLen() > 0);
    assertTrue(fs.exists(p("runs/hdfs/_steps/train/_SUCCESS")));

    run(0, "sample");
    assertTrue(fs.exists(p("runs/hdfs/_steps/sample/_SUCCESS")));
    SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false")
        .getOrCreate();
    try {
      assertEquals(30, spark.read().parquet(root + "/runs/hdfs/samples").count());
    } finally {
      spark.stop();
    }
    // nothing of the run went to the local disk
    try (var s = java.nio.file.Files.walk(base)) {
      assertTrue(s.noneMatch(f -> f.toString().contains("runs")), "outputs only on HDFS");
    }
  }
}
