package io.sparkvae.data;

import io.sparkvae.cli.Job;
import io.sparkvae.config.AppConfig;
import io.sparkvae.config.CelebaConfig;
import io.sparkvae.config.Cifar10Config;
import io.sparkvae.config.DataConfig;
import io.sparkvae.config.SyntheticConfig;
import io.sparkvae.data.celeba.CelebaInput;
import io.sparkvae.data.celeba.CelebaItem;
import io.sparkvae.data.celeba.CelebaRows;
import io.sparkvae.data.cifar.Cifar10Batch;
import io.sparkvae.data.cifar.Cifar10Format;
import io.sparkvae.data.cifar.Cifar10Input;
import io.sparkvae.data.cifar.Cifar10Rows;
import io.sparkvae.data.synthetic.ShapesGenerator;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.Schemas;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code prepare}: writes the synthetic shapes, CIFAR-10 or CelebA as the prepared dataset (Parquet
 * partitioned by split, with {@code _dataset.json} and {@code _rejects/}), committed by rename. Raw files are
 * read by the executors; the driver only lists them and reads CelebA's two text files.
 */
public final class PrepareJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(PrepareJob.class);
  /** The summary written inside the prepared directory: counts per split, channel statistics, rejects. */
  public static final String SUMMARY = PreparedWriter.SUMMARY;

  @Override
  public String description() {
    return "write data.dataset (synthetic shapes, or cifar10 / celeba read from data.input) into "
        + "data.prepared as Parquet";
  }

  @Override
  public List<String> inputs(AppConfig config) {
    return config.data().readsInput() ? List.of(config.data().input()) : List.of();
  }

  @Override
  public List<String> outputs(AppConfig config) {
    return List.of(config.data().prepared());
  }

  /** The synthetic images depend on the generator as well as on the configuration. */
  @Override
  public Map<String, String> codeVersions(AppConfig config) {
    return DataConfig.SYNTHETIC.equals(config.data().dataset())
        ? Map.of("generator", ShapesGenerator.VERSION) : Map.of();
  }

  @Override
  public List<String> preflight(AppConfig config, boolean overwrite, HadoopFiles files) {
    List<String> problems = new ArrayList<>();
    DataConfig data = config.data();
    if (data.readsInput()) {
      if (data.input().isBlank()) {
        problems.add("data.input: must be set when data.dataset = " + data.dataset()
            + " (the raw dataset's folder or archive; see data-prep/)");
      } else if (!files.exists(data.input())) {
        problems.add("data.input: " + data.input() + " does not exist (data-prep/download-" + data.dataset()
            + ".sh downloads it)");
      }
    }
    if (!overwrite && files.exists(data.prepared())) {
      problems.add("data.prepared: " + data.prepared() + " already exists (pass --overwrite to replace it)");
    }
    return problems;
  }

  @Override
  public void run(SparkSession spark, AppConfig config, boolean overwrite) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopFiles files = new HadoopFiles(jsc.hadoopConfiguration());
    PreparedWriter writer = new PreparedWriter(spark, files, config.prepare());
    String target = config.data().prepared();
    switch (config.data().dataset()) {
      case DataConfig.CIFAR10 -> cifar10(jsc, files, writer, config.data().input(),
          config.data().cifar10(), target);
      case DataConfig.CELEBA -> celeba(jsc, files, writer, config.data().input(), config.data().celeba(),
          target);
      default -> synthetic(jsc, writer, config.data().synthetic(), target);
    }
  }

  private static void synthetic(JavaSparkContext jsc, PreparedWriter writer, SyntheticConfig synth,
      String target) {
    // one task per range of image indices; each image depends only on (seed, index)
    jsc.setJobDescription("prepare: generate " + synth.count() + " synthetic images");
    List<long[]> ranges = ranges(synth.count(), synth.partitions());
    JavaRDD<Row> rows = jsc.parallelize(ranges, ranges.size()).flatMap(new SyntheticRows(synth)::rows);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("dataset", DataConfig.SYNTHETIC);
    details.put("seed", synth.seed());
    details.put("generator", ShapesGenerator.VERSION);
    writer.write(session(jsc).createDataFrame(rows, Schemas.PREPARED), target,
        3L * synth.imageSize() * synth.imageSize(), List::of, details);
  }

  private static void cifar10(JavaSparkContext jsc, HadoopFiles files, PreparedWriter writer, String input,
      Cifar10Config cifar, String target) {
    // the driver checks sizes and archive entries; one executor task per batch file reads the records
    List<Cifar10Batch> batches = Cifar10Input.scan(input, files);
    long trainTotal = batches.stream().filter(b -> !b.isTest()).mapToLong(Cifar10Batch::records).sum();
    BitSet val = Cifar10Rows.chooseVal(trainTotal, cifar.valCount(), cifar.seed());
    jsc.setJobDescription("prepare: read " + batches.size() + " CIFAR-10 batches from " + input);
    JavaRDD<Row> rows = jsc.parallelize(batches, batches.size())
        .flatMap(new Cifar10Rows(new SerializableConfiguration(jsc.hadoopConfiguration()), val)::rows);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("dataset", DataConfig.CIFAR10);
    details.put("input", files.qualify(input));
    details.put("val_count", cifar.valCount());
    details.put("val_seed", cifar.seed());
    details.put("labels", "airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck");
    writer.write(session(jsc).createDataFrame(rows, Schemas.PREPARED), target, Cifar10Format.PIXELS,
        List::of, details);
  }

  private static void celeba(JavaSparkContext jsc, HadoopFiles files, PreparedWriter writer, String input,
      CelebaConfig celeba, String target) {
    // the driver reads the two lists and the image listing; executors read and decode the JPEGs
    CelebaInput celebaInput = CelebaInput.scan(input, files);
    List<CelebaItem> items = celebaInput.items();
    long bytesPerImage = 3L * celeba.imageSize() * celeba.imageSize();
    int partitions = celeba.partitions() > 0 ? celeba.partitions()
        : (int) Math.max(2L * jsc.defaultParallelism(), Math.min(100_000,
            (items.size() * bytesPerImage + writer.targetFileBytes() - 1) / writer.targetFileBytes()));
    partitions = Math.max(1, Math.min(partitions, items.size()));
    LOG.info("prepare: {} CelebA images listed and present in {}, {} skipped before decoding; decoding in {} "
        + "tasks", items.size(), celebaInput.images(), celebaInput.rejects().size(), partitions);
    CollectionAccumulator<Reject> decodeRejects = jsc.sc().collectionAccumulator("celeba rejects");
    jsc.setJobDescription("prepare: decode " + items.size() + " CelebA JPEGs to " + celeba.imageSize() + "x"
        + celeba.imageSize());
    JavaRDD<Row> rows = jsc.parallelize(items, partitions).mapPartitions(
        new CelebaRows(new SerializableConfiguration(jsc.hadoopConfiguration()), celebaInput, celeba,
            decodeRejects)::rows);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("dataset", DataConfig.CELEBA);
    details.put("input", files.qualify(input));
    details.put("crop_size", celeba.cropSize());
    details.put("attributes", celebaInput.attributeNames());
    writer.write(session(jsc).createDataFrame(rows, Schemas.PREPARED), target, bytesPerImage, () -> {
      // a retried task adds its rejects again: one per path
      Map<String, Reject> unique = new TreeMap<>();
      celebaInput.rejects().forEach(r -> unique.put(r.path(), r));
      decodeRejects.value().forEach(r -> unique.put(r.path(), r));
      return new ArrayList<>(unique.values());
    }, details);
  }

  private static SparkSession session(JavaSparkContext jsc) {
    return SparkSession.builder().sparkContext(jsc.sc()).getOrCreate();
  }

  static List<long[]> ranges(long count, int parts) {
    List<long[]> out = new ArrayList<>();
    int n = (int) Math.max(1, Math.min(parts, count));
    for (int p = 0; p < n; p++) {
      out.add(new long[] {count * p / n, count * (p + 1) / n});
    }
    return out;
  }
}
