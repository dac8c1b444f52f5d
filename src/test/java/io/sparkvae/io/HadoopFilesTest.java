package io.sparkvae.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

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
}
