package io.sparkvae.bench;

import io.sparkvae.io.PartitionParquet;
import io.sparkvae.io.Schemas;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import io.sparkvae.sample.LatentSampler;
import io.sparkvae.sample.SampleBlocks;
import io.sparkvae.sample.SampleJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sampling job against the decoder alone, on the same two cores, at several job sizes in one JVM.
 *
 * <p>Each round times, for every size in turn, three things back to back: the decoder's forward passes alone (two
 * threads, each with its own decoder and the blocks of one of the job's two partitions, in batches of 100, as the
 * job's two single-threaded tasks decode), the same rows made in a Spark job over local[2] and only counted (decode
 * and PNG, no Parquet: the floor of any Spark sampling job), and the sampling job itself (decode, PNG, Parquet, to
 * a fresh directory). This machine's speed drifts by 10-30% within minutes, so every ratio is taken within a round,
 * from measurements seconds apart, and the median over rounds is reported.
 *
 * <p>Within a round the times of each kind are fitted by a line over the sizes, t(N) = F + N / R: R is the rate a
 * job reaches once its fixed costs are paid (its steady rate), F the fixed cost per job (Spark's planning, task
 * launch and commit, each task's decoder and Parquet writer). The steady ratio, R of the job over R of the decoder
 * alone, is what the job's rate tends to for large jobs; the whole-job ratio at N is 1 / (1 / steady + F R / N).
 *
 * <p>Prints each round's times ({@code ROUND} lines), then {@code RESULT} lines: per size the median rates ({@code decode-N}, {@code sample-count-N},
 * {@code sample-N}) and the median ratios to the decoder ({@code sample-count-ratio-N}, {@code sample-ratio-N});
 * over the sizes {@code sample-steady-ratio}, {@code sample-fixed-s}, {@code sample-count-steady-ratio},
 * {@code sample-count-fixed-s}. Run with one OpenMP thread, as each of the job's tasks has.
 */
final class SampleBenchmark {
  private static final int BLOCK = 100;

  private SampleBenchmark() {}

  /** The three kinds of measurement, in the order a round takes them. */
  private enum Kind {
    DECODE("decode-"), COUNT("sample-count-"), WRITE("sample-");

    final String key;

    Kind(String key) {
      this.key = key;
    }
  }

  /**
   * Measures {@code sizes} (images per job, at least two different ones for the fit) over {@code rounds} timed
   * rounds after one warm-up round.
   */
  static void run(VaeSpec spec, int[] sizes, int rounds) throws Exception {
    if (sizes.length < 2 || Arrays.stream(sizes).distinct().count() != sizes.length || rounds < 1) {
      throw new IllegalArgumentException("sample needs two or more different sizes and a round, got "
          + Arrays.toString(sizes) + " and " + rounds + " rounds");
    }
    SparkSession spark = VaeBenchmark.localSpark();
    Path out = Files.createTempDirectory("bench-samples");
    ExecutorService threads = Executors.newFixedThreadPool(2);
    // seconds[kind][size][round]
    double[][][] seconds = new double[Kind.values().length][sizes.length][rounds];
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      SampleBlocks.Decoder decoder = SampleBlocks.Decoder.of(VaeGraphs.newTrainingGraph(spec), spec);
      Broadcast<SampleBlocks.Decoder> model = jsc.broadcast(decoder);
      List<ComputationGraph> decoders = List.of(decoder.graph().restore(), decoder.graph().restore());
      if (Boolean.getBoolean("bench.stats")) {
        spark.sparkContext().addSparkListener(new VaeBenchmark.TaskTimeline());
      }
      for (int round = -1; round < rounds; round++) { // round -1 warms up, on the smallest size
        for (int s = 0; s < sizes.length; s++) {
          int n = round < 0 ? Arrays.stream(sizes).min().getAsInt() : sizes[s];
          List<Integer> blocks = IntStream.range(0, SampleBlocks.blocks(n, BLOCK)).boxed().toList();
          long seed = (round + 1L) * sizes.length + s;
          // the sampling job's rows, over its two partitions; made anew by each job that runs on them
          JavaRDD<InternalRow> rows = jsc.parallelize(blocks, 2)
              .mapPartitions(new SampleBlocks(model, null, "bench", n, BLOCK, seed, 1.0, null)::rows);
          for (Kind kind : Kind.values()) {
            long t0 = System.nanoTime();
            switch (kind) {
              case DECODE -> decodeAlone(threads, decoders, spec, blocks.size(), seed);
              case COUNT -> rows.count();
              case WRITE -> {
                Path dir = out.resolve("r" + round + "-" + n); // a fresh directory, as a sampling run's
                PartitionParquet.write(spark, rows, Schemas.SAMPLES, dir.toString(), SampleJob.NO_DICTIONARY);
                VaeBenchmark.deleteTree(dir);
              }
            }
            if (round >= 0) {
              seconds[kind.ordinal()][s][round] = (System.nanoTime() - t0) / 1e9;
            }
          }
        }
      }
    } finally {
      threads.shutdownNow();
      spark.stop();
      VaeBenchmark.deleteTree(out);
    }
    report(sizes, seconds);
  }

  /** The decoder's forward passes alone: the job's blocks split over two threads as over its two partitions. */
  private static void decodeAlone(ExecutorService threads, List<ComputationGraph> decoders, VaeSpec spec,
      int blocks, long seed) throws Exception {
    List<Future<?>> halves = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      ComputationGraph d = decoders.get(k);
      INDArray z = new LatentSampler(seed * 2 + k, spec.latentDim(), 1.0).latents(0, BLOCK);
      int mine = blocks / 2 + (k == 0 ? blocks % 2 : 0);
      halves.add(threads.submit(() -> {
        for (int i = 0; i < mine; i++) {
          d.outputSingle(false, z);
        }
      }));
    }
    for (Future<?> f : halves) {
      f.get();
    }
  }

  private static void report(int[] sizes, double[][][] seconds) {
    int rounds = seconds[0][0].length;
    for (int r = 0; r < rounds; r++) {
      for (int s = 0; s < sizes.length; s++) {
        System.out.printf(Locale.ROOT, "ROUND %d images %d seconds: decode %.3f count %.3f write %.3f%n", r,
            sizes[s], seconds[Kind.DECODE.ordinal()][s][r], seconds[Kind.COUNT.ordinal()][s][r],
            seconds[Kind.WRITE.ordinal()][s][r]);
      }
    }
    double[] x = Arrays.stream(sizes).asDoubleStream().toArray();
    for (int s = 0; s < sizes.length; s++) {
      for (Kind kind : Kind.values()) {
        double[] rate = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          rate[r] = sizes[s] / seconds[kind.ordinal()][s][r];
        }
        VaeBenchmark.result(kind.key + sizes[s], median(rate));
      }
      for (Kind kind : List.of(Kind.COUNT, Kind.WRITE)) {
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) { // rate ratio = inverse time ratio, within the round
          ratio[r] = seconds[Kind.DECODE.ordinal()][s][r] / seconds[kind.ordinal()][s][r];
        }
        VaeBenchmark.result(kind.key + "ratio-" + sizes[s], median(ratio));
      }
    }
    double[] decodeSecondsPerImage = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      decodeSecondsPerImage[r] = fit(x, column(seconds[Kind.DECODE.ordinal()], r))[1];
    }
    for (Kind kind : List.of(Kind.COUNT, Kind.WRITE)) {
      double[] steady = new double[rounds];
      double[] fixed = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        double[] line = fit(x, column(seconds[kind.ordinal()], r));
        steady[r] = decodeSecondsPerImage[r] / line[1]; // seconds per image: the decoder's over the job's
        fixed[r] = line[0];
      }
      VaeBenchmark.result(kind.key + "steady-ratio", median(steady));
      VaeBenchmark.result(kind.key + "fixed-s", median(fixed));
    }
  }

  /** Round {@code r}'s time at every size. */
  private static double[] column(double[][] bySize, int r) {
    return Arrays.stream(bySize).mapToDouble(rounds -> rounds[r]).toArray();
  }

  /** Least squares y = a + b x: {a, b}. */
  static double[] fit(double[] x, double[] y) {
    double mx = Arrays.stream(x).average().orElseThrow();
    double my = Arrays.stream(y).average().orElseThrow();
    double sxy = 0;
    double sxx = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
    }
    double b = sxy / sxx;
    return new double[] {my - b * mx, b};
  }

  /** The median (the mean of the middle two for an even count). */
  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }
}
