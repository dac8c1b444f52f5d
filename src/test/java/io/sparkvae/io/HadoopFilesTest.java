package io.sparkvae.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preflight checks see the spark.hadoop.* settings spark-submit passed, as the job's file systems will. */
class HadoopFilesTest {
  @Test
  void sparkHadoopSettingsReachThePreflightConfiguration() {
    Properties props = new Properties();
    props.setProperty("spark.hadoop.fs.s3a.endpoint", "http://minio.example:9000");
    props.setProperty("spark.hadoop.dfs.replication", "2");
    props.setProperty("spark.executor.memory", "4g");
    props.setProperty("spark.hadoop.", "ignored");
    Configuration conf = HadoopFiles.withSparkHadoopSettings(new Configuration(false), props);
    assertEquals("http://minio.example:9000", conf.get("fs.s3a.endpoint"));
    assertEquals("2", conf.get("dfs.replication"));
    assertNull(conf.get("executor.memory"));
    assertNull(conf.get("spark.executor.memory"));
    assertEquals(2, conf.size());
  }

  /** An output's temporary siblings: only the names temporarySibling gives it, not another output's. */
  @Test
  void temporarySiblingsAreTheOutputsOwnOnly(@TempDir Path dir) throws Exception {
    HadoopFiles files = HadoopFiles.local();
    String samples = dir.resolve("samples").toString();
    String mine = HadoopFiles.temporarySibling(samples);
    Files.createDirectories(Path.of(mine));
    Files.createDirectories(dir.resolve("samples.tmp-mine"));
    Files.createDirectories(dir.resolve("samples"));
    Files.writeString(dir.resolve("samples.png.tmp-" + UUID.randomUUID()), "another output's");
    assertEquals(List.of(files.qualify(mine)), files.temporarySiblings(samples).stream().map(files::qualify).toList());
    assertEquals(List.of(), files.temporarySiblings(dir.resolve("nowhere/samples").toString()));
  }
}
