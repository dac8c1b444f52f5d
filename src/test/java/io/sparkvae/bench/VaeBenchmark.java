package io.sparkvae.bench;

import io.sparkvae.cli.Main;
import io.sparkvae.cli.SparkSessions;
import io.sparkvae.config.CheckpointConfig;
import io.sparkvae.config.TrainConfig;
import io.sparkvae.data.synthetic.ShapesGenerator;
import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.model.vae.Likelihood;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import io.sparkvae.train.BarrierAveraging;
import io.sparkvae.train.MinibatchFunction;
import io.sparkvae.train.ParameterAveraging;
import io.sparkvae.train.PreparedData;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.stats.EventStats;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Benchmarks of the VAE, one mode per JVM because the native thread count (OMP_NUM_THREADS) is fixed per process.
 * bench/run.sh runs the modes and prints the table and the ratios. Each mode prints {@code RESULT <key> <value>}
 * lines. Shapes: {@code cifar} (32x32x3, encoder 32-64-128, latent 64) and {@code celeba} (64x64x3, encoder
 * 32-64-128-256, latent 128), batch 64, Gaussian likelihood, Adam.
 */
public final class VaeBenchmark {
  private static final int BATCH = 64;
  /** Timed epochs of each kind in the Spark measurement (after a warm-up epoch); the median is reported. */
  private static final int EPOCH_ROUNDS = Integer.getInteger("bench.epochs", 5);

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "train";
    switch (mode) {
      case "train" -> result("train-" + arg(args, 1, "cifar"),
          train(spec(arg(args, 1, "cifar")), Integer.parseInt(arg(args, 2, "40"))));
      case "layers" -> layers(spec(arg(args, 1, "cifar")), Integer.parseInt(arg(args, 2, "20")));
      case "sgemm" -> result("sgemm-gflops", sgemm(Integer.parseInt(arg(args, 1, "1024"))));
      case "spark" -> spark(spec("cifar"), Integer.parseInt(arg(args, 1, "2")), Integer.parseInt(arg(args, 2, "5")),
          Integer.parseInt(arg(args, 3, "3840")), arg(args, 4, TrainConfig.BARRIER));
      case "sample" -> SampleBenchmark.run(spec("cifar"), args.length > 1
          ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray() : new int[] {2000, 10000, 50000},
          Integer.getInteger("bench.sampleRounds", 5));
      case "pipeline" -> pipeline(spec("cifar"), Integer.parseInt(arg(args, 1, "12000")));
      case "memory" -> memory(spec("cifar"), Integer.parseInt(arg(args, 1, "60")));
      default -> throw new IllegalArgumentException(
          "mode: train SHAPE N | layers SHAPE N | sgemm N | spark WORKERS FREQ IMAGES [barrier|dl4j-spark] | sample N1 N2 ..."
              + " | pipeline N | memory N");
    }
    // Spark's barrier stages leave a non-daemon timer thread behind ("Barrier task timer for barrier() calls.")
    System.exit(0);
  }

  public static VaeSpec spec(String shape) {
    return switch (shape) {
      case "cifar" -> new VaeSpec(32, 32, 3, new int[] {32, 64, 128}, 64, Likelihood.GAUSSIAN, 0.1, 1.0, -10, 4,
          1e-3, 42);
      case "celeba" -> new VaeSpec(64, 64, 3, new int[] {32, 64, 128, 256}, 128, Likelihood.GAUSSIAN, 0.1, 1.0,
          -10, 4, 1e-3, 42);
      default -> throw new IllegalArgumentException("shape: cifar | celeba");
    };
  }

  static void result(String key, double value) {
    System.out.printf(Locale.ROOT, "RESULT %s %.4f%n", key, value);
  }

  private static String arg(String[] a, int i, String d) {
    return a.length > i ? a[i] : d;
  }

  private static List<byte[]> images(int n, int size) {
    ShapesGenerator g = new ShapesGenerator(1, size);
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(g.generate(i).pixels());
    }
    return out;
  }

  private static List<MultiDataSet> batches(VaeSpec spec, int count) {
    List<byte[]> imgs = images(BATCH * count, spec.height());
    List<MultiDataSet> batches = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      batches.add(VaeGraphs.toMultiDataSet(ImageTensors.toBatch(imgs.subList(b * BATCH, (b + 1) * BATCH),
          spec.height(), spec.width(), spec.channels()), spec));
    }
    return batches;
  }

  /**
   * Untimed training before a timed run, on both sides (bench/pytorch_vae.py too): at least {@link #WARMUP}
   * minibatches and {@link #WARMUP_SECONDS} seconds. The JVM's 2-thread CIFAR step needs about 150-200 minibatches
   * to reach its steady speed (in windows of 25 from the start: about 600, 800, 900, 1,000 img/s, then 1,100-1,270
   * from the eighth window on); PyTorch's first window of 25 already ran at its later speed in three of four runs.
   * 30 minibatches timed the JVM still climbing.
   */
  static final int WARMUP = 30;
  static final double WARMUP_SECONDS = 12;

  /**
   * Examples per second of {@code graph.fit} over {@code batches} in turn, {@code iterations} minibatches timed
   * after the warm-up ({@link #WARMUP}, {@link #WARMUP_SECONDS}).
   */
  static double timeFits(ComputationGraph graph, List<MultiDataSet> batches, int iterations) {
    long warmupStart = System.nanoTime();
    for (int i = 0; i < WARMUP || System.nanoTime() - warmupStart < WARMUP_SECONDS * 1e9; i++) {
      graph.fit(batches.get(i % batches.size()));
    }
    long examples = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      MultiDataSet b = batches.get(i % batches.size());
      graph.fit(b);
      examples += b.getFeatures(0).size(0);
    }
    return examples / ((System.nanoTime() - t0) / 1e9);
  }

  /** graph.fit on batches of 64 in this JVM, no Spark; prints the model's forward MFLOP per image too. */
  static double train(VaeSpec spec, int iterations) {
    ComputationGraph graph = VaeGraphs.newTrainingGraph(spec);
    double rate = timeFits(graph, batches(spec, 4), iterations);
    result("mflop-per-image-forward-" + (spec.height() == 32 ? "cifar" : "celeba"), forwardMflop(spec));
    return rate;
  }

  /** Multiply-adds x 2 of the convolutions, transposed convolutions and dense layers, per image, forward. */
  static double forwardMflop(VaeSpec spec) {
    double flops = 0;
    int h = spec.height();
    int c = spec.channels();
    for (int w : spec.encoderChannels()) {
      h /= 2;
      flops += 2.0 * h * h * w * c * 16; // 4x4 kernel
      c = w;
    }
    double bottleneck = (double) h * h * c;
    flops += 2.0 * bottleneck * 2 * spec.latentDim() + 2.0 * spec.latentDim() * bottleneck;
    int[] widths = spec.encoderChannels();
    for (int i = widths.length - 1; i >= 0; i--) {
      int out = i == 0 ? spec.channels() : widths[i - 1];
      flops += 2.0 * h * h * widths[i] * out * 16; // each input pixel spreads a 4x4 kernel
      h *= 2;
    }
    return flops / 1e6;
  }

  /** Forward and backward time of each layer alone at batch 64 (ms per minibatch). */
  static void layers(VaeSpec spec, int iterations) {
    ComputationGraph graph = VaeGraphs.newTrainingGraph(spec);
    MultiDataSet batch = batches(spec, 1).get(0);
    graph.fit(batch);
    Map<String, INDArray> acts = graph.feedForward(batch.getFeatures(), true, false);
    // one reused workspace for every array, as in training (fresh allocations would be timed otherwise)
    LayerWorkspaceMgr mgr = LayerWorkspaceMgr.builder().defaultWorkspace("LAYER_BENCH",
        WorkspaceConfiguration.builder().policyAllocation(AllocationPolicy.STRICT)
            .policyLearning(LearningPolicy.FIRST_LOOP).build()).build();
    for (String name : graph.getConfiguration().getTopologicalOrderStr()) {
      if (!(graph.getVertex(name) instanceof LayerVertex vertex) || vertex.getLayer() instanceof IOutputLayer) {
        continue;
      }
      org.deeplearning4j.nn.api.Layer layer = vertex.getLayer();
      INDArray in = acts.get(graph.getConfiguration().getVertexInputs().get(name).get(0));
      if (vertex.getLayerPreProcessor() != null) {
        in = vertex.getLayerPreProcessor().preProcess(in.dup(), BATCH, LayerWorkspaceMgr.noWorkspaces());
      }
      double fwd = 0;
      double bwd = 0;
      for (int i = -3; i < iterations; i++) {
        try (MemoryWorkspace ws = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
          layer.setInput(in, mgr);
          long t0 = System.nanoTime();
          INDArray out = layer.activate(true, mgr);
          long t1 = System.nanoTime();
          layer.backpropGradient(out, mgr);
          long t2 = System.nanoTime();
          if (i >= 0) {
            fwd += (t1 - t0) / 1e6;
            bwd += (t2 - t1) / 1e6;
          }
        }
      }
      System.out.printf(Locale.ROOT, "LAYER %s %s %.2f %.2f%n", name, layer.getClass().getSimpleName(),
          fwd / iterations, bwd / iterations);
    }
  }

  /** ND4J single-precision matrix multiply, n x n, GFLOP/s. */
  static double sgemm(int n) {
    INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray c = Nd4j.create(DataType.FLOAT, n, n);
    for (int i = 0; i < 3; i++) {
      Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    }
    int reps = 20;
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    }
    return 2.0 * n * n * n * reps / ((System.nanoTime() - t0) / 1e9) / 1e9;
  }

  /**
   * Epochs of parameter averaging in local[2] after a warm-up epoch: img/s, the share of the epoch's wall time
   * that the workers spend outside fit() (averaging, scheduling, minibatch assembly), and the share they spend
   * waiting for a round's slowest worker. With {@code barrier} (the application's default) from the workers'
   * own timings, the median of {@link #EPOCH_ROUNDS} epochs (the same epoch averaged once at its end, run next to
   * each, was tried as a baseline: on this machine the pairs' differences ranged from -15% to +25%); with
   * {@code dl4j-spark}, one epoch, from dl4j-spark's training stats.
   */
  static void spark(VaeSpec spec, int workers, int frequency, int n, String averaging) {
    SparkSession spark = localSpark();
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      // as TrainJob caches the train split: shuffled into one partition per worker, serialised. (Cached straight
      // from parallelize, every task of every round would carry its partition's images in its own description.)
      JavaRDD<byte[]> data = jsc.parallelize(images(n, spec.height()), workers).repartition(workers)
          .persist(StorageLevel.MEMORY_AND_DISK_SER());
      data.count();
      TrainConfig t = new TrainConfig(1, workers, BATCH, frequency, true, averaging, "direct", "",
          Integer.getInteger("bench.prefetch", 2), 1e-3,
          TrainConfig.CONSTANT, 42, 0, 0, CheckpointConfig.DEFAULT, 0, false);
      String key = "spark-w" + workers + "-f" + frequency + "-n" + n
          + (TrainConfig.BARRIER.equals(averaging) ? "" : "-dl4j");
      if (TrainConfig.BARRIER.equals(averaging)) {
        BarrierAveraging trainer = new BarrierAveraging(jsc, VaeGraphs.newTrainingGraph(spec), workers, frequency,
            t.prefetchBatches(), true);
        trainer.fitEpoch(data.mapPartitionsWithIndex(new MinibatchFunction(spec, BATCH, 0), false));
        if (Boolean.getBoolean("bench.stats")) {
          spark.sparkContext().addSparkListener(new TaskTimeline());
        }
        // this machine's speed drifts from epoch to epoch by 10-15%: the median of several
        List<BarrierAveraging.EpochStats> epochs = new ArrayList<>();
        for (int epoch = 1; epoch <= EPOCH_ROUNDS; epoch++) {
          trainer.fitEpoch(data.mapPartitionsWithIndex(new MinibatchFunction(spec, BATCH, epoch), false));
          epochs.add(trainer.lastEpoch());
        }
        epochs.sort(java.util.Comparator.comparingDouble(BarrierAveraging.EpochStats::wallSeconds));
        BarrierAveraging.EpochStats e = epochs.get(epochs.size() / 2);
        result(key, n / e.wallSeconds());
        result(key + "-outside-fit-share", 1 - e.fitSeconds() / e.wallSeconds());
        result(key + "-waiting-share", e.waitSeconds() / e.wallSeconds());
        result(key + "-averaging-share", (e.waitSeconds() + e.exchangeSeconds()) / e.wallSeconds());
        if (Boolean.getBoolean("bench.stats")) {
          System.out.printf(Locale.ROOT, "EPOCH %s%n", e);
        }
        return;
      }
      SparkComputationGraph trainer = ParameterAveraging.dl4jSpark(jsc, VaeGraphs.newTrainingGraph(spec), t, "");
      trainer.fitMultiDataSet(data.mapPartitionsWithIndex(new MinibatchFunction(spec, BATCH, 0), false));
      // the stats' default NTP time source needs the internet; the local clock serves in one JVM
      System.setProperty("org.deeplearning4j.spark.time.TimeSource",
          "org.deeplearning4j.spark.time.SystemClockTimeSource");
      trainer.setCollectTrainingStats(true);
      if (Boolean.getBoolean("bench.stats")) {
        spark.sparkContext().addSparkListener(new TaskTimeline());
      }
      long t0 = System.nanoTime();
      trainer.fitMultiDataSet(data.mapPartitionsWithIndex(new MinibatchFunction(spec, BATCH, 1), false));
      double wallMs = (System.nanoTime() - t0) / 1e6;
      double fitMs = sumDurations(trainer.getSparkTrainingStats(), "ParameterAveragingWorkerFitTimesMs");
      result(key, n / (wallMs / 1e3));
      result(key + "-outside-fit-share", 1 - fitMs / workers / wallMs);
      result(key + "-waiting-share", roundWaitMs(trainer.getSparkTrainingStats()) / wallMs);
      if (Boolean.getBoolean("bench.stats")) {
        System.out.println(trainer.getSparkTrainingStats().statsAsString());
      }
    } finally {
      spark.stop();
    }
  }

  /** With -Dbench.stats=true: each job's start and end, and each task's launch, run and finish (ms). */
  static final class TaskTimeline extends SparkListener {
    @Override
    public void onJobStart(SparkListenerJobStart e) {
      System.out.println("JOB start " + e.time());
    }

    @Override
    public void onStageSubmitted(org.apache.spark.scheduler.SparkListenerStageSubmitted e) {
      System.out.println("STAGE submitted " + System.currentTimeMillis());
    }

    @Override
    public void onTaskStart(org.apache.spark.scheduler.SparkListenerTaskStart e) {
      System.out.println("TASK start " + e.taskInfo().launchTime() + " seen " + System.currentTimeMillis());
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd e) {
      System.out.println("JOB end " + e.time());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      System.out.println("TASK launch " + e.taskInfo().launchTime() + " finish " + e.taskInfo().finishTime()
          + " deserialise " + e.taskMetrics().executorDeserializeTime() + " run " + e.taskMetrics().executorRunTime()
          + " serialise result " + e.taskMetrics().resultSerializationTime() + " gc " + e.taskMetrics().jvmGCTime());
    }
  }

  /** local[2] with the application's Spark defaults (SparkSessions.defaults; -Dspark.* overrides). */
  public static SparkSession localSpark() {
    SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("bench").set("spark.ui.enabled", "false");
    return SparkSession.builder().config(SparkSessions.defaults(conf)).getOrCreate();
  }

  /**
   * How long the workers of each averaging round wait for its slowest one, summed over rounds: per round, the
   * slowest worker's whole task time (dl4j-spark's WorkerFlatMapTotalTimeMs: init, minibatches, fits) less the
   * mean of the workers'. That much of every worker's time in the round is neither fitting nor averaging. A
   * worker event belongs to the master's map-partitions event (one per round) it starts in.
   */
  private static double roundWaitMs(SparkTrainingStats stats) {
    List<EventStats> rounds = events(stats, "ParameterAveragingMasterMapPartitionsTimesMs");
    List<EventStats> work = events(stats, "WorkerFlatMapTotalTimeMs");
    double wait = 0;
    for (EventStats r : rounds) {
      double max = 0;
      double sum = 0;
      int n = 0;
      for (EventStats w : work) {
        if (w.getStartTime() >= r.getStartTime() && w.getStartTime() <= r.getStartTime() + r.getDurationMs()) {
          max = Math.max(max, w.getDurationMs());
          sum += w.getDurationMs();
          n++;
        }
      }
      if (n > 0) {
        wait += max - sum / n;
      }
      if (Boolean.getBoolean("bench.stats")) {
        System.out.printf(Locale.ROOT, "ROUND %d ms: %d workers, slowest %.0f ms, mean %.0f ms%n",
            r.getDurationMs(), n, max, n > 0 ? sum / n : 0.0);
      }
    }
    return wait;
  }

  /** The events under {@code key} at the first level of the stats that has it. */
  private static List<EventStats> events(SparkTrainingStats stats, String key) {
    for (SparkTrainingStats s = stats; s != null; s = s.getNestedTrainingStats()) {
      if (s.getKeySet().contains(key)) {
        return s.getValue(key);
      }
    }
    return List.of();
  }

  /** Sum of the durations of the events under {@code key} at the first level of the stats that has it. */
  private static double sumDurations(SparkTrainingStats stats, String key) {
    double sum = 0;
    for (EventStats e : events(stats, key)) {
      sum += e.getDurationMs();
    }
    return sum;
  }

  /** Deletes {@code dir} and everything under it, if it exists. */
  public static void deleteTree(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * The input pipeline on local[2], in img/s: a prepared Parquet dataset read and turned into minibatch arrays, as
   * {@code train} reads its train split once before the first epoch (the first pass cold, as in a job; then the
   * best of 3 more, each reading the files again), and the cached pixel bytes turned into minibatches, what every
   * epoch does (the best of 3).
   */
  static void pipeline(VaeSpec spec, int n) throws Exception {
    Path root = Files.createTempDirectory("bench-pipeline");
    String prepared = root.resolve("prepared").toString();
    int code = Main.run(new String[] {"prepare", "--set", "spark.master=local[2]", "--set",
        "output-root=" + root, "--set", "data.synthetic.count=" + n, "--set", "data.synthetic.val-fraction=0",
        "--set", "data.synthetic.test-fraction=0"}, System.err, System.err);
    if (code != 0) {
      throw new IllegalStateException("prepare failed with exit code " + code);
    }
    SparkSession spark = localSpark();
    try {
      // a new RDD for each pass (one reused would skip its shuffle's map stage, the reading), repartitioned as
      // train's load is
      result("pipeline-parquet-cold", minibatchRate(spec, PreparedData.pixels(spark, prepared, "train", 0)
          .repartition(2), 0));
      double best = 0;
      for (int round = 1; round <= 3; round++) {
        best = Math.max(best, minibatchRate(spec, PreparedData.pixels(spark, prepared, "train", 0)
            .repartition(2), round));
      }
      result("pipeline-parquet", best);
      JavaRDD<byte[]> cached = PreparedData.pixels(spark, prepared, "train", 0).repartition(2)
          .persist(StorageLevel.MEMORY_ONLY_SER());
      cached.count();
      best = 0;
      for (int round = 0; round < 3; round++) {
        best = Math.max(best, minibatchRate(spec, cached, round));
      }
      result("pipeline-cached", best);
    } finally {
      spark.stop();
    }
  }

  /** Images per second of one pass turning {@code pixels} into minibatch arrays, as a worker asks for them. */
  private static double minibatchRate(VaeSpec spec, JavaRDD<byte[]> pixels, int seed) {
    long t0 = System.nanoTime();
    // the minibatches are compact until asked for their arrays: ask, as a worker would
    long batches = pixels.mapPartitionsWithIndex(new MinibatchFunction(spec, BATCH, seed), false)
        .filter(m -> m.getFeatures(0).length() > 0).count();
    return batches * BATCH / ((System.nanoTime() - t0) / 1e9);
  }

  /**
   * Peak memory of one JVM training the model at batch 64, as one executor would: heap (sum of the pools' peaks),
   * off-heap arrays tracked by JavaCPP (sampled every 20 ms) and the process's peak resident set (VmHWM).
   */
  static void memory(VaeSpec spec, int iterations) throws Exception {
    AtomicLong offHeapPeak = new AtomicLong();
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        offHeapPeak.accumulateAndGet(Pointer.totalBytes(), Math::max);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.setDaemon(true);
    sampler.start();
    train(spec, iterations);
    sampler.interrupt();
    offHeapPeak.accumulateAndGet(Pointer.totalBytes(), Math::max);
    long heapPeak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPeak += pool.getPeakUsage().getUsed();
      }
    }
    result("memory-heap-peak-mb", heapPeak / 1048576.0);
    result("memory-offheap-peak-mb", offHeapPeak.get() / 1048576.0);
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        result("memory-rss-peak-mb", Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0);
      }
    }
  }
}
