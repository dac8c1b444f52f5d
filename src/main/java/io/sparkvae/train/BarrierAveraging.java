package io.sparkvae.train;

import io.sparkvae.io.kryo.NdArraySerializer;
import io.sparkvae.model.GraphBytes;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.network.buffer.ManagedBuffer;
import org.apache.spark.network.shuffle.BlockFetchingListener;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.storage.TestBlockId;
import org.apache.spark.util.io.ChunkedByteBuffer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Parameter averaging with one Spark job per epoch: a barrier stage of one task per worker, in which every
 * worker fits its share of the epoch and, every {@code averaging-frequency} minibatches, all workers replace their
 * parameters (and Adam's state) by the average of all of theirs, without leaving the task.
 *
 * <p>Why not dl4j-spark's {@code ParameterAveragingTrainingMaster} (still there as {@code train.averaging =
 * dl4j-spark}): it runs one Spark job per averaging round. Each round broadcasts the parameters, starts tasks that
 * build a network, picks the round's minibatches from the cached epoch, returns every worker's parameters to the
 * driver as task results and averages them there; at 5 minibatches per round that is a fifth of the epoch on two
 * workers (README, Performance). Here a worker builds its network once per epoch and keeps it.
 *
 * <p>How the workers average, without the driver in the data path (a reduce-scatter, then an all-gather, as in
 * ring all-reduce): each worker's state is cut into one shard per worker, and each shard is stored as a block in
 * the worker's own Spark block manager. After a barrier, worker j fetches shard j from every worker (from the
 * executor's own block manager when the peer is on the same executor, else through Spark's block transfer
 * service, which moves shuffle and broadcast blocks too and keeps Spark's authentication and encryption), averages
 * it and stores the average; after a second barrier, every worker fetches the averaged shards of the others. Each
 * worker sends and receives about twice its state per round, whatever the number of workers; the driver only
 * sees the barriers' small messages.
 *
 * <p>Weights: worker k's weight in round r is the number of minibatches it fitted in that round (its share of the
 * epoch may be a little shorter than the longest), so a worker that ran out of minibatches takes the average
 * without moving it. The number of rounds is the longest share's, known to all from one all-gather at the start.
 *
 * <p>Faults: a failed task (or a lost executor) fails the barrier stage, which Spark does not retry for a result
 * stage; {@link #runStage} runs it again from the epoch's starting state, and past that the epoch fails
 * ({@code train.max-retries} then restarts from the last checkpoint). Barrier stages
 * need a task slot per worker at once and do not run under dynamic allocation: an epoch that finds fewer slots
 * (an executor lost and not yet replaced) waits for them a while, then runs with as many workers as there are
 * slots ({@link #workersWithSlots}).
 */
public final class BarrierAveraging implements AveragingTrainer {
  /** How long an epoch waits for a task slot per worker before it starts with fewer workers. */
  static final long SLOT_WAIT_MS = 30_000;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BarrierAveraging.class);
  private final JavaSparkContext jsc;
  private final ComputationGraph network;
  private final int workers;
  private final int frequency;
  private final int prefetch;
  private final boolean averageUpdaters;
  private double score = Double.NaN;
  private EpochStats lastEpoch;

  /**
   * What the last epoch's workers did, for the benchmark: seconds of wall time on the driver, and each worker's
   * mean seconds in fit(), waiting at the first barrier of a round (for the slowest worker), and in the rest of
   * the exchange (copies, fetches, the second barrier).
   */
  public record EpochStats(int workers, int rounds, double wallSeconds, double taskSeconds, double startSeconds,
      double batchSeconds, double fitSeconds, double waitSeconds, double exchangeSeconds) {}

  public BarrierAveraging(JavaSparkContext jsc, ComputationGraph network, int workers, int frequency, int prefetch,
      boolean averageUpdaters) {
    this.jsc = jsc;
    this.network = network;
    this.workers = workers;
    this.frequency = frequency;
    this.prefetch = prefetch;
    this.averageUpdaters = averageUpdaters;
  }

  @Override
  public ComputationGraph network() {
    return network;
  }

  @Override
  public double score() {
    return score;
  }

  public EpochStats lastEpoch() {
    return lastEpoch;
  }

  @Override
  public void fitEpoch(JavaRDD<MultiDataSet> batches) {
    fitEpoch(batches, null);
  }

  @Override
  public void fitEpoch(JavaRDD<MultiDataSet> batches, LongAccumulator progress) {
    long t0 = System.nanoTime();
    INDArray state = averageUpdaters ? network.getUpdater().getStateViewArray() : null;
    Start start = new Start(GraphBytes.of(network), state == null ? null : NdArraySerializer.rawBytes(state),
        network.getIterationCount(), frequency, prefetch, UUID.randomUUID().toString().substring(0, 8));
    long tA = System.nanoTime();
    Broadcast<Start> broadcast = jsc.broadcast(start);
    long tB = System.nanoTime();
    try {
      List<WorkerResult> results = runStage(batches, broadcast, progress);
      long tC = System.nanoTime();
      apply(results, state);
      long tD = System.nanoTime();
      LOG.debug("epoch on the driver: {} ms to serialise the state, {} ms to broadcast it, {} ms in the barrier "
          + "job, {} ms to apply the result", (tA - t0) / 1_000_000, (tB - tA) / 1_000_000, (tC - tB) / 1_000_000,
          (tD - tC) / 1_000_000);
      double task = 0;
      double begin = 0;
      double batch = 0;
      double fit = 0;
      double wait = 0;
      double exchange = 0;
      for (WorkerResult r : results) {
        task += r.taskNanos / 1e9 / results.size();
        begin += r.startNanos / 1e9 / results.size();
        batch += r.batchNanos / 1e9 / results.size();
        fit += r.fitNanos / 1e9 / results.size();
        wait += r.waitNanos / 1e9 / results.size();
        exchange += r.exchangeNanos / 1e9 / results.size();
      }
      lastEpoch = new EpochStats(results.size(), results.isEmpty() ? 0 : results.get(0).rounds,
          (System.nanoTime() - t0) / 1e9, task, begin, batch, fit, wait, exchange);
    } finally {
      broadcast.destroy();
    }
  }

  /**
   * The epoch's barrier stage, run again from the epoch's starting state (the broadcast) when it fails, up to
   * {@code spark.stage.maxConsecutiveAttempts} (default 4) attempts in all: Spark reruns a failed stage's tasks,
   * but never a failed barrier result stage (a lost executor, a task killed), so this does. In local mode, where
   * no executor can be lost, a failure is not retried.
   */
  private List<WorkerResult> runStage(JavaRDD<MultiDataSet> batches, Broadcast<Start> broadcast,
      LongAccumulator progress) {
    boolean local = jsc.master().startsWith("local");
    int attempts = local ? 1 : Math.max(1, jsc.getConf().getInt("spark.stage.maxConsecutiveAttempts", 4));
    for (int attempt = 1; ; attempt++) {
      int n = workersWithSlots();
      // a barrier stage cannot coalesce: its tasks must be the partitions of the RDD it maps
      JavaRDD<MultiDataSet> input = batches.getNumPartitions() == n ? batches : batches.repartition(n);
      try {
        return input.rdd().barrier().mapPartitions(new Worker(broadcast, progress), false,
            ClassTag$.MODULE$.<WorkerResult>apply(WorkerResult.class)).toJavaRDD().collect();
      } catch (Exception e) { // Spark's SparkException too: its Java API throws it undeclared
        if (attempt >= attempts || jsc.sc().isStopped()) {
          throw e;
        }
        LOG.warn("train: the epoch's barrier stage failed ({}); running it again from the epoch's start "
            + "(attempt {}/{})", e.getMessage(), attempt + 1, attempts);
      }
    }
  }

  /**
   * How many workers this epoch can have: {@code train.workers}, or fewer when the application has fewer task
   * slots (a barrier stage needs one per task at once, and Spark fails it after waiting for them). Slots go when
   * an executor is lost; the cluster manager may bring them back. Waits up to {@link #SLOT_WAIT_MS} for all
   * workers' slots, then goes on with the slots there are (at least one worker), saying so.
   */
  private int workersWithSlots() {
    org.apache.spark.SparkContext sc = jsc.sc();
    long deadline = System.currentTimeMillis() + SLOT_WAIT_MS;
    int slots = slots(sc);
    while (slots < workers && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for task slots", e);
      }
      slots = slots(sc);
    }
    if (slots >= workers) {
      return workers;
    }
    int n = Math.max(1, slots);
    LOG.warn("train: {} task slot(s) for train.workers = {} after waiting {} s: this epoch averages over {} "
        + "worker(s)", slots, workers, SLOT_WAIT_MS / 1000, n);
    return n;
  }

  /** Task slots of the application's executors now (Spark's own count for barrier stages). */
  private static int slots(org.apache.spark.SparkContext sc) {
    return sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
  }

  /** The averaged state (every worker ends with the same; worker 0 returns it) into the driver's network. */
  private void apply(List<WorkerResult> results, INDArray state) {
    WorkerResult first = null;
    double lossSum = 0;
    long lossCount = 0;
    for (WorkerResult r : results) {
      if (r.params != null) {
        first = r;
      }
      lossSum += r.lastRoundLossSum;
      lossCount += r.lastRoundMinibatches;
    }
    if (first == null || first.rounds == 0) {
      return; // no minibatches at all: nothing changed
    }
    NdArraySerializer.setRawBytes(network.params(), ByteBuffer.wrap(first.params));
    if (state != null) {
      NdArraySerializer.setRawBytes(state, ByteBuffer.wrap(first.updaterState));
    }
    network.getConfiguration().setIterationCount(first.iterationCount);
    network.getConfiguration().setEpochCount(network.getConfiguration().getEpochCount() + 1);
    score = lossCount == 0 ? Double.NaN : lossSum / lossCount;
  }

  /** What every task of the epoch starts from. */
  record Start(GraphBytes graph, byte[] updaterState, int iterationCount, int frequency, int prefetch, String id)
      implements Serializable {

    ComputationGraph restore() {
      ComputationGraph net = graph.restore();
      DataType type = DataType.valueOf(graph.dataType());
      if (updaterState != null) {
        // the updater state's view is a vector (rank 1), as ComputationGraphUpdater slices it
        net.setUpdater(new ComputationGraphUpdater(net, NdArraySerializer.fromRawBytes(type,
            new long[] {updaterState.length / type.width()}, updaterState)));
      }
      net.getConfiguration().setIterationCount(iterationCount);
      return net;
    }
  }

  /** One worker's return: the final state (worker 0 only), its loss in the last round and its timings. */
  static final class WorkerResult implements Serializable {
    private static final long serialVersionUID = 1L;
    byte[] params;
    byte[] updaterState;
    int iterationCount;
    int rounds;
    double lastRoundLossSum;
    long lastRoundMinibatches;
    long taskNanos;
    long startNanos;
    long batchNanos;
    long fitNanos;
    long waitNanos;
    long exchangeNanos;
  }

  /** The barrier task: fit, average every {@code frequency} minibatches, return. */
  static final class Worker
      extends AbstractFunction1<scala.collection.Iterator<MultiDataSet>, scala.collection.Iterator<WorkerResult>>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Start> broadcast;
    /** Examples fitted, for the driver's progress lines; null for none. In the closure, so one per task. */
    private final LongAccumulator progress;

    Worker(Broadcast<Start> broadcast, LongAccumulator progress) {
      this.broadcast = broadcast;
      this.progress = progress;
    }

    @Override
    public scala.collection.Iterator<WorkerResult> apply(scala.collection.Iterator<MultiDataSet> input) {
      long started = System.nanoTime();
      BarrierTaskContext ctx = BarrierTaskContext.get();
      List<MultiDataSet> mine = new ArrayList<>();
      JavaConverters.asJavaIterator(input).forEachRemaining(mine::add);
      Start start = broadcast.value();
      ComputationGraph net = start.restore();
      BlockExchange exchange = BlockExchange.join(ctx, start.id, mine.size());
      int f = start.frequency;
      int[] counts = exchange.counts();
      int longest = 0;
      for (int c : counts) {
        longest = Math.max(longest, c);
      }
      int rounds = (longest + f - 1) / f;
      WorkerResult result = new WorkerResult();
      result.startNanos = System.nanoTime() - started;
      ExecutorService prefetcher = start.prefetch > 0 ? Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "barrier-averaging-prefetch");
        t.setDaemon(true);
        return t;
      }) : null;
      try {
        List<Future<?>> ready = new ArrayList<>(java.util.Collections.nCopies(mine.size(), null));
        INDArray state = net.getUpdater() == null || start.updaterState == null ? null
            : net.getUpdater().getStateViewArray();
        for (int r = 0; r < rounds; r++) {
          int from = Math.min(r * f, mine.size());
          int to = Math.min(from + f, mine.size());
          double lossSum = 0;
          for (int i = from; i < to; i++) {
            long t0 = System.nanoTime();
            for (int k = i + 1; prefetcher != null && k <= i + start.prefetch && k < mine.size(); k++) {
              if (ready.get(k) == null && mine.get(k) instanceof CompactMinibatch<?> c) {
                ready.set(k, prefetcher.submit(c::arrays));
              }
            }
            if (ready.get(i) != null) {
              ready.get(i).get();
              ready.set(i, null);
            } else if (mine.get(i) instanceof CompactMinibatch<?> c) {
              c.arrays(); // no prefetching: build them here, outside the fit's time
            }
            long t1 = System.nanoTime();
            net.fit(mine.get(i));
            long t2 = System.nanoTime();
            lossSum += net.score();
            if (progress != null) {
              progress.add(mine.get(i).getFeatures(0).size(0));
            }
            mine.set(i, null); // fitted: its arrays can go
            result.fitNanos += t2 - t1;
            result.batchNanos += t1 - t0;
          }
          double[] weights = new double[counts.length];
          for (int k = 0; k < counts.length; k++) {
            weights[k] = Math.max(0, Math.min(f, counts[k] - r * f));
          }
          exchange.average(r, net.params(), state, weights, result);
          net.getConfiguration().setIterationCount(start.iterationCount + Math.min(longest, (r + 1) * f));
          if (r == rounds - 1) {
            result.lastRoundLossSum = lossSum;
            result.lastRoundMinibatches = to - from;
          }
        }
        exchange.finish();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while training", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("building a minibatch failed", e.getCause());
      } finally {
        if (prefetcher != null) {
          prefetcher.shutdownNow();
        }
      }
      result.rounds = rounds;
      result.iterationCount = start.iterationCount + longest;
      if (ctx.partitionId() == 0) {
        result.params = NdArraySerializer.rawBytes(net.params());
        result.updaterState = start.updaterState == null ? null
            : NdArraySerializer.rawBytes(net.getUpdater().getStateViewArray());
      }
      result.taskNanos = System.nanoTime() - started;
      return JavaConverters.asScalaIterator(List.of(result).iterator());
    }
  }

  /**
   * The workers of one barrier stage averaging their states through their block managers (see the class comment).
   * Blocks are named {@code test_sparkvae_<epoch id>_<stage attempt>_r<round>_...}: Spark's block transfer server
   * serves only block ids it can parse, and "test_" is the pattern for blocks of no RDD, broadcast or shuffle.
   */
  static final class BlockExchange {
    private final BarrierTaskContext ctx;
    private final BarrierSync sync;
    private final BlockManager blocks;
    private final String prefix;
    private final int rank;
    private final int[] counts;
    private final String[][] peers; // executor id, host, port
    private final List<java.util.Map.Entry<Integer, BlockId>> stored = new ArrayList<>(); // round, block
    private byte[] mine; // this worker's state, raw
    private byte[] out; // the averaged state, raw
    private double[] sum; // this worker's shard's weighted sum

    private BlockExchange(BarrierTaskContext ctx, BarrierSync sync, String prefix, int[] counts,
        String[][] peers) {
      this.ctx = ctx;
      this.sync = sync;
      this.blocks = SparkEnv.get().blockManager();
      this.prefix = prefix;
      this.rank = ctx.partitionId();
      this.counts = counts;
      this.peers = peers;
      ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> removeStored(Integer.MAX_VALUE));
    }

    /** All workers meet: each learns every worker's minibatch count and block manager address. */
    static BlockExchange join(BarrierTaskContext ctx, String epochId, int minibatches) {
      var me = SparkEnv.get().blockManager().blockManagerId();
      BarrierSync sync = new BarrierSync(ctx);
      String[] all = sync.allGather(minibatches + "\t" + me.executorId() + "\t" + me.host() + "\t" + me.port());
      int[] counts = new int[all.length];
      String[][] peers = new String[all.length][];
      for (int k = 0; k < all.length; k++) {
        String[] parts = all[k].split("\t", -1);
        counts[k] = Integer.parseInt(parts[0]);
        peers[k] = new String[] {parts[1], parts[2], parts[3]};
      }
      return new BlockExchange(ctx, sync, "sparkvae_" + epochId + "_" + ctx.stageAttemptNumber(), counts, peers);
    }

    int[] counts() {
      return counts;
    }

    /** Replaces params (and state, if not null) by the weighted average over the workers. */
    void average(int round, INDArray params, INDArray state, double[] weights, WorkerResult timing) {
      int n = counts.length;
      if (n == 1) {
        return; // one worker: its state is the average
      }
      long t0 = System.nanoTime();
      int width = params.dataType().width();
      int paramBytes = (int) (params.length() * width);
      int stateBytes = state == null ? 0 : (int) (state.length() * width);
      if (mine == null) {
        // reused every round: a peer reads my round-r blocks (slices of these) before it passes round r + 1's
        // first barrier, and I write them again only after mine (mine before it, out after it)
        mine = new byte[paramBytes + stateBytes];
        out = new byte[mine.length];
      }
      NdArraySerializer.rawBytesInto(params, mine, 0);
      if (state != null) {
        NdArraySerializer.rawBytesInto(state, mine, paramBytes);
      }
      int elements = mine.length / width;
      // 1. my state's shards, for the workers who average them (nobody needs them if I fitted nothing)
      if (weights[rank] > 0) {
        for (int j = 0; j < n; j++) {
          if (j != rank) {
            put(round, "w" + rank + "_s" + j, ByteBuffer.wrap(mine, start(j, elements, n) * width,
                (start(j + 1, elements, n) - start(j, elements, n)) * width).slice());
          }
        }
      }
      long t1 = System.nanoTime();
      sync.barrier();
      long t2 = System.nanoTime();
      timing.waitNanos += t2 - t1;
      removeStored(round); // every worker has passed the last round: nobody reads its blocks any more
      // 2. average my shard over the workers that fitted something
      int from = start(rank, elements, n);
      int len = start(rank + 1, elements, n) - from;
      if (sum == null) {
        sum = new double[len];
      }
      java.util.Arrays.fill(sum, 0);
      double total = 0;
      List<Integer> contributors = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        if (weights[k] > 0) {
          total += weights[k];
          contributors.add(k);
        }
      }
      readInOrder(contributors, k -> id(round, "w" + k + "_s" + rank), (k, got) -> accumulate(sum,
          got != null ? got : ByteBuffer.wrap(mine, from * width, len * width).slice(), width, weights[k]));
      ByteBuffer averaged = ByteBuffer.wrap(out, from * width, len * width).slice().order(ByteOrder.nativeOrder());
      for (int i = 0; i < len; i++) {
        if (width == 8) {
          averaged.putDouble(sum[i] / total);
        } else {
          averaged.putFloat((float) (sum[i] / total));
        }
      }
      put(round, "a" + rank, ByteBuffer.wrap(out, from * width, len * width).slice());
      sync.barrier();
      // 3. the others' averaged shards
      List<Integer> others = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        if (j != rank) {
          others.add(j);
        }
      }
      readInOrder(others, j -> id(round, "a" + j), (j, got) -> got.get(out, start(j, elements, n) * width,
          got.remaining()));
      NdArraySerializer.setRawBytes(params, ByteBuffer.wrap(out, 0, paramBytes).slice());
      if (state != null) {
        NdArraySerializer.setRawBytes(state, ByteBuffer.wrap(out, paramBytes, stateBytes).slice());
      }
      timing.exchangeNanos += System.nanoTime() - t2;
    }

    /** After the last round: once every worker has read the last blocks, drop them. */
    void finish() {
      sync.barrier();
      removeStored(Integer.MAX_VALUE);
    }

    /** The first element of shard {@code shard} of {@code n}. */
    private static int start(int shard, int elements, int n) {
      return (int) ((long) elements * shard / n);
    }

    private static void accumulate(double[] sum, ByteBuffer bytes, int width, double weight) {
      ByteBuffer b = bytes.order(ByteOrder.nativeOrder());
      if (width == 8) {
        var d = b.asDoubleBuffer();
        for (int i = 0; i < sum.length; i++) {
          sum[i] += weight * d.get(i);
        }
      } else {
        var f = b.asFloatBuffer();
        for (int i = 0; i < sum.length; i++) {
          sum[i] += weight * f.get(i);
        }
      }
    }

    private BlockId id(int round, String what) {
      return new TestBlockId(prefix + "_r" + round + "_" + what);
    }

    private void put(int round, String what, ByteBuffer bytes) {
      BlockId id = id(round, what);
      if (!blocks.putBytes(id, new ChunkedByteBuffer(bytes), StorageLevel.MEMORY_AND_DISK_SER(), false,
          ClassTag$.MODULE$.apply(byte[].class))) {
        throw new IllegalStateException("the block manager refused parameter-averaging block " + id);
      }
      stored.add(java.util.Map.entry(round, id));
    }

    /**
     * Hands each listed worker's block to {@code use}, in the order listed (so every run sums in the same order):
     * this worker's own part as null, blocks of workers on this executor straight from its block manager, and
     * the others' fetched through the block transfer service, all at once before the first is used (a round's
     * W - 1 fetches then take about one network round trip, not W - 1 of them).
     */
    private void readInOrder(List<Integer> workers, java.util.function.IntFunction<BlockId> id,
        java.util.function.BiConsumer<Integer, ByteBuffer> use) {
      String here = blocks.blockManagerId().executorId();
      List<BlockId> ids = new ArrayList<>(workers.size());
      List<java.util.concurrent.CompletableFuture<ByteBuffer>> fetched = new ArrayList<>(workers.size());
      for (int k : workers) {
        BlockId block = id.apply(k);
        ids.add(block);
        fetched.add(k == rank || peers[k][0].equals(here) ? null : fetch(k, block));
      }
      for (int i = 0; i < workers.size(); i++) {
        int k = workers.get(i);
        BlockId block = ids.get(i);
        if (k == rank) {
          use.accept(k, null);
        } else if (fetched.get(i) == null) {
          ManagedBuffer b = blocks.getLocalBlockData(block);
          try {
            use.accept(k, b.nioByteBuffer());
          } catch (java.io.IOException e) {
            throw new IllegalStateException("reading block " + block + " of worker " + k, e);
          } finally {
            b.release();
          }
        } else {
          use.accept(k, await(fetched.get(i), block, k));
        }
      }
    }

    /** Starts fetching a block of another executor's worker; the bytes are copied out of the transfer buffer. */
    private java.util.concurrent.CompletableFuture<ByteBuffer> fetch(int worker, BlockId id) {
      String[] peer = peers[worker];
      var result = new java.util.concurrent.CompletableFuture<ByteBuffer>();
      blocks.blockTransferService().fetchBlocks(peer[1], Integer.parseInt(peer[2]), peer[0],
          new String[] {id.name()}, new BlockFetchingListener() {
            @Override
            public void onBlockFetchSuccess(String blockId, ManagedBuffer data) {
              try { // the transfer releases data when this returns
                ByteBuffer src = data.nioByteBuffer();
                ByteBuffer copy = ByteBuffer.allocate(src.remaining());
                copy.put(src).flip();
                result.complete(copy);
              } catch (Throwable e) {
                result.completeExceptionally(e);
              }
            }

            @Override
            public void onBlockFetchFailure(String blockId, Throwable e) {
              result.completeExceptionally(e);
            }
          }, null);
      return result;
    }

    /** A fetch's bytes, checking every 50 ms whether the task was killed. */
    private ByteBuffer await(java.util.concurrent.CompletableFuture<ByteBuffer> f, BlockId id, int worker) {
      while (true) {
        try {
          return f.get(50, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          ctx.killTaskIfInterrupted();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while fetching block " + id + " of worker " + worker, e);
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("fetching block " + id + " of worker " + worker + " failed", e.getCause());
        }
      }
    }

    /** Removes the blocks this worker stored in rounds before {@code round}. */
    private void removeStored(int round) {
      stored.removeIf(e -> {
        if (e.getKey() < round) {
          blocks.removeBlock(e.getValue(), false);
          return true;
        }
        return false;
      });
    }
  }
}
