package io.sparkvae.sample;

import io.sparkvae.io.HadoopFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;

/**
 * The PNGs of the first samples of a written samples directory (ids 0 .. n − 1, in id order), read from its Parquet
 * files on the driver with Parquet's own reader, for the contact sheet.
 *
 * <p>Why not Spark SQL: in a {@code sample} step the contact sheet is the only Spark SQL query, and in a fresh JVM
 * its first planning and code generation took 2.3–2.5 s of a 10.5 s step (1,000 samples, {@code conf/local.conf});
 * this reader takes a fraction of a second. Only the two columns are read, and row groups and pages whose
 * statistics hold no id below n are skipped.
 */
final class FirstSamples {
  private static final String ID = "sample_id";
  private static final String PNG = "image_png";

  private FirstSamples() {}

  /** The PNG bytes of samples 0 .. n − 1 found in the Parquet files directly in {@code dir}, in id order. */
  static List<byte[]> pngs(HadoopFiles files, String dir, int n) {
    Configuration conf = new Configuration(files.configuration());
    Map<Long, byte[]> found = new TreeMap<>();
    FilterCompat.Filter belowN = FilterCompat.get(FilterApi.lt(FilterApi.longColumn(ID), (long) n));
    for (String name : files.list(dir)) {
      if (found.size() == n) {
        break;
      }
      if (name.startsWith("_") || name.startsWith(".") || !name.endsWith(".parquet")) {
        continue;
      }
      Path file = new Path(new Path(dir), name);
      try {
        conf.set(ReadSupport.PARQUET_READ_SCHEMA, projection(conf, file).toString());
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf)
            .withFilter(belowN).build()) {
          for (Group row = reader.read(); row != null; row = reader.read()) {
            found.put(row.getLong(ID, 0), row.getBinary(PNG, 0).getBytes());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the first samples from " + file, e);
      }
    }
    return new ArrayList<>(found.values());
  }

  /** The file's own types of the two columns (their repetition is the writer's), as a read schema. */
  private static MessageType projection(Configuration conf, Path file) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      return new MessageType(schema.getName(), schema.getType(ID), schema.getType(PNG));
    }
  }
}
