package io.sparkvae.sample;

import io.sparkvae.bench.VaeBenchmark;
import io.sparkvae.io.PartitionParquet;
import io.sparkvae.io.Schemas;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Where a sampling job's time goes besides decoding (README, Performance): the same CIFAR-shaped sample rows over
 * local[2] either written as the sampling job writes them ({@code write}), written through Spark SQL's
 * {@code DataFrameWriter} as the job did before {@link io.sparkvae.io.PartitionParquet} ({@code sql-write}), or only
 * counted ({@code count}), and the same with made-up images and no decoder ({@code fake-write}, {@code fake-count}),
 * alternately, each round timed from the call to the job's start, the first task's launch, the last task's end, the
 * job's end and the return, with the tasks' longest deserialisation and run. Not a test; run as the benchmark is,
 * with one OpenMP thread:
 *
 * <pre>java -cp ... io.sparkvae.sample.SampleJobTimeline SAMPLES ROUNDS [MODE,MODE...]</pre>
 *
 * {@code -Dspark.*} system properties reach the session (e.g. {@code
 * -Dspark.hadoop.fs.file.impl=org.apache.hadoop.fs.LocalFileSystem} for Hadoop's own local file system).
 */
public final class SampleJobTimeline {
  private static final int BLOCK = 100;

  private static final class Timeline extends SparkListener {
    volatile long jobStart;
    volatile long jobEnd;
    volatile long firstLaunch;
    volatile long lastFinish;
    volatile long maxDeserialise;
    volatile long maxRun;

    @Override
    public void onJobStart(SparkListenerJobStart e) {
      jobStart = e.time();
      firstLaunch = Long.MAX_VALUE;
      lastFinish = 0;
      maxDeserialise = 0;
      maxRun = 0;
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd e) {
      jobEnd = e.time();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      firstLaunch = Math.min(firstLaunch, e.taskInfo().launchTime());
      lastFinish = Math.max(lastFinish, e.taskInfo().finishTime());
      maxDeserialise = Math.max(maxDeserialise, e.taskMetrics().executorDeserializeTime());
      maxRun = Math.max(maxRun, e.taskMetrics().executorRunTime());
    }
  }

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    String[] modes = (args.length > 2 ? args[2] : "write,count").split(",");
    VaeSpec spec = VaeBenchmark.spec("cifar");
    SparkSession spark = VaeBenchmark.localSpark();
    Path out = Files.createTempDirectory("sample-timeline");
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      Timeline timeline = new Timeline();
      spark.sparkContext().addSparkListener(timeline);
      Broadcast<SampleBlocks.Decoder> model =
          jsc.broadcast(SampleBlocks.Decoder.of(VaeGraphs.newTrainingGraph(spec), spec));
      List<Integer> blocks = IntStream.range(0, SampleBlocks.blocks(n, BLOCK)).boxed().toList();
      for (int round = 0; round < rounds; round++) {
        for (String mode : modes) {
          JavaRDD<InternalRow> rows = mode.startsWith("fake")
              ? jsc.parallelize(blocks, 2).mapPartitions(madeUp(spec, n, round))
              : jsc.parallelize(blocks, 2).mapPartitions(new SampleBlocks(model, null, "timeline", n, BLOCK, round,
                  1.0, null)::rows);
          long t0 = System.currentTimeMillis();
          if (mode.endsWith("sql-write")) { // Spark SQL's own writer, as the job wrote until PartitionParquet
            DataFrameWriter<Row> writer = spark.internalCreateDataFrame(rows.rdd(), Schemas.SAMPLES, false).write()
                .option("compression", "zstd");
            for (String column : SampleJob.NO_DICTIONARY) {
              writer = writer.option("parquet.enable.dictionary#" + column, "false");
            }
            writer.parquet(out.resolve(mode + round).toString());
          } else if (mode.endsWith("write")) {
            PartitionParquet.write(spark, rows, Schemas.SAMPLES, out.resolve(mode + round).toString(),
                SampleJob.NO_DICTIONARY);
          } else if (mode.endsWith("count")) {
            rows.count();
          } else {
            throw new IllegalArgumentException("modes: write, sql-write, count and each with fake-; not " + mode);
          }
          long t1 = System.currentTimeMillis();
          Thread.sleep(100); // the listener bus delivers the job's events
          System.out.printf(Locale.ROOT, "round %d %-10s %5d ms: to job start %4d, to first launch %3d, tasks "
                  + "(longest deserialisation %3d, run %4d) first launch to last end %4d, to job end %3d, "
                  + "to return %3d%n", round, mode, t1 - t0, timeline.jobStart - t0,
              timeline.firstLaunch - timeline.jobStart, timeline.maxDeserialise, timeline.maxRun,
              timeline.lastFinish - timeline.firstLaunch, timeline.jobEnd - timeline.lastFinish,
              t1 - timeline.jobEnd);
        }
      }
    } finally {
      spark.stop();
      VaeBenchmark.deleteTree(out);
    }
  }

  /** Sample rows as the job makes them, but of one random image repeated and without a decoder. */
  private static org.apache.spark.api.java.function.FlatMapFunction<Iterator<Integer>, InternalRow> madeUp(
      VaeSpec spec, int n, int round) {
    return blocks -> {
      SampleRows rows = new SampleRows("timeline", spec.height(), spec.width(), spec.channels());
      LatentSampler latents = new LatentSampler(round, spec.latentDim(), 1.0);
      float[] images = new float[BLOCK * spec.height() * spec.width() * spec.channels()];
      Random random = new Random(round);
      for (int i = 0; i < images.length; i++) {
        images[i] = random.nextFloat();
      }
      return rows.byBlock(blocks, BLOCK, n, null, (from, count) -> {
        float[] z = latents.latentValues(from, count);
        List<InternalRow> block = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          block.add(rows.vae(images, i, from + i, latents.seedOf(from + i), z, spec.latentDim()));
        }
        return block;
      });
    };
  }
}
