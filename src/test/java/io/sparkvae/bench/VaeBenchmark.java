package io.sparkvae.bench;

import io.sparkvae.data.synthetic.ShapesGenerator;
import io.sparkvae.io.Schemas;
import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.model.vae.Likelihood;
import io.sparkvae.model.vae.ModelStore;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import io.sparkvae.sample.LatentSampler;
import io.sparkvae.sample.SampleBlocks;
import io.sparkvae.train.MinibatchFunction;
import io.sparkvae.train.ParameterAveraging;
import io.sparkvae.config.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Throughput of the CIFAR-shaped VAE (32x32x3, encoder 32-64-128, latent 64, batch 64). One mode per
 * JVM, because the native thread count (OMP_NUM_THREADS) is fixed per process; bench/run.sh runs the
 * modes and prints the ratios. Prints one line: {@code RESULT <mode> <images per second>}.
 */
public final class VaeBenchmark {
  private static final int BATCH = 64;

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "single";
    VaeSpec spec = new VaeSpec(32, 32, 3, new int[] {32, 64, 128}, 64, Likelihood.GAUSSIAN, 0.1, 1.0,
        -10, 4, 1e-3, 42);
    double rate = switch (mode) {
      case "single" -> single(spec, Integer.parseInt(arg(args, 1, "40")));
      case "spark" -> spark(spec, Integer.parseInt(arg(args, 1, "3840")));
      case "decode" -> decodeOnly(spec, Integer.parseInt(arg(args, 1, "2000")));
      case "sample" -> sample(spec, Integer.parseInt(arg(args, 1, "2000")));
      default -> throw new IllegalArgumentException("mode: single | spark | decode | sample");
    };
    System.out.printf(Locale.ROOT, "RESULT %s %.1f%n", mode, rate);
  }

  private static String arg(String[] a, int i, String d) {
    return a.length > i ? a[i] : d;
  }

  private static List<byte[]> images(int n) {
    ShapesGenerator g = new ShapesGenerator(1, 32);
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(g.generate(i).pixels());
    }
    return out;
  }

  /** graph.fit on batches of 64 in this JVM, no Spark. */
  static double single(VaeSpec spec, int iterations) {
    ComputationGraph graph = VaeGraphs.newTrainingGraph(spec);
    List<byte[]> imgs = images(BATCH * 4);
    List<MultiDataSet> batches = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      batches.add(VaeGraphs.toMultiDataSet(ImageTensors.toBatch(imgs.subList(b * BATCH, (b + 1) * BATCH),
          32, 32, 3), spec));
    }
    for (int i = 0; i < 5; i++) {
      graph.fit(batches.get(i % 4));
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      graph.fit(batches.get(i % 4));
    }
    return iterations * BATCH / ((System.nanoTime() - t0) / 1e9);
  }

  /** One epoch of parameter averaging in local[2] with 2 workers, after a warm-up epoch. */
  static double spark(VaeSpec spec, int n) {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("bench")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      JavaRDD<byte[]> data = jsc.parallelize(images(n), 2).persist(StorageLevel.MEMORY_ONLY_SER());
      data.count();
      TrainConfig t = new TrainConfig(1, 2, BATCH, 5, true, "direct", "", 2, 1e-3, 42, 0, 0);
      SparkComputationGraph trainer = new SparkComputationGraph(jsc, VaeGraphs.newTrainingGraph(spec),
          ParameterAveraging.master(t, ""));
      trainer.fitMultiDataSet(data.mapPartitionsWithIndex(new MinibatchFunction(spec, BATCH, 0), false));
      long t0 = System.nanoTime();
      trainer.fitMultiDataSet(data.mapPartitionsWithIndex(new MinibatchFunction(spec, BATCH, 1), false));
      return n / ((System.nanoTime() - t0) / 1e9);
    } finally {
      spark.stop();
    }
  }

  /** Decoder forward passes only, batches of 100, in this JVM. */
  static double decodeOnly(VaeSpec spec, int n) {
    ComputationGraph decoder = VaeGraphs.decoder(VaeGraphs.newTrainingGraph(spec), spec);
    LatentSampler sampler = new LatentSampler(1, spec.latentDim(), 1.0);
    INDArray z = sampler.latents(0, 100);
    for (int i = 0; i < 3; i++) {
      decoder.outputSingle(false, z);
    }
    long t0 = System.nanoTime();
    for (int done = 0; done < n; done += 100) {
      decoder.outputSingle(false, z);
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  /** The sampling job's path: decode, PNG, Parquet, over local[2]. */
  static double sample(VaeSpec spec, int n) throws Exception {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("bench")
        .config("spark.ui.enabled", "false").getOrCreate();
    Path out = Files.createTempDirectory("bench-samples");
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      Broadcast<byte[]> model = jsc.broadcast(ModelStore.toBytes(VaeGraphs.newTrainingGraph(spec), spec));
      List<Integer> blocks = IntStream.range(0, SampleBlocks.blocks(n, 100)).boxed().toList();
      double best = 0;
      for (int round = 0; round < 2; round++) { // the first round warms up
        SampleBlocks gen = new SampleBlocks(model, "bench", n, 100, round, 1.0);
        long t0 = System.nanoTime();
        JavaRDD<Row> rows = jsc.parallelize(blocks, 2).mapPartitions(gen::rows);
        spark.createDataFrame(rows, Schemas.SAMPLES).write().mode("overwrite")
            .option("compression", "zstd").parquet(out.resolve("r").toString());
        best = n / ((System.nanoTime() - t0) / 1e9);
      }
      return best;
    } finally {
      spark.stop();
    }
  }
}
