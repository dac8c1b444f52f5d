package io.sparkvae.cli;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * Progress of a long Spark job in the driver's log while it runs, e.g. {@code sample: 12,300 of 50,000 images
 * (24.6%), 37.2 images/s, ETA 21m24s}.
 *
 * <p>The tasks add what they have done to {@link #counter()}. A Spark accumulator's value reaches the driver only
 * when a task ends, but the executors' heartbeats ({@code spark.executor.heartbeatInterval}, 10 s by default) carry
 * each running task's value too: a listener keeps those, so a job of a few long tasks reports while they run. A
 * daemon thread logs a line every {@code every} when the count has moved. Its rate, and so its ETA, leave out the
 * job's start-up (see {@link Rate}). Close it when the job is done.
 */
public final class JobProgress implements AutoCloseable {
  /** How often a long job logs its progress (when it has moved). */
  public static final Duration EVERY = Duration.ofSeconds(30);

  private final SparkContext sc;
  private final String step;
  private final String unit;
  private final long total;
  private final Consumer<String> log;
  private final LongAccumulator counter;
  private final Map<Long, Long> running = new ConcurrentHashMap<>();
  private final Set<Long> ended = ConcurrentHashMap.newKeySet();
  private final SparkListener listener;
  private final ScheduledExecutorService timer;
  private final long started = System.nanoTime();
  private final Rate rate = new Rate();
  private long reported;

  private JobProgress(SparkContext sc, String step, String unit, long total, Duration every, Consumer<String> log) {
    this.sc = sc;
    this.step = step;
    this.unit = unit;
    this.total = total;
    this.log = log;
    this.counter = sc.longAccumulator(step + ": " + unit + " done");
    this.listener = new SparkListener() {
      @Override
      public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task : asList(update.accumUpdates())) {
          long taskId = (Long) task._1();
          for (AccumulableInfo info : asList(task._4())) {
            if (info.id() == counter.id() && info.update().isDefined() && !ended.contains(taskId)) {
              running.put(taskId, ((Number) info.update().get()).longValue());
            }
          }
        }
        observe();
      }

      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        // a successful task's value is in the accumulator by now; a failed one's is dropped, as Spark drops it
        ended.add(end.taskInfo().taskId());
        running.remove(end.taskInfo().taskId());
        observe();
      }
    };
    sc.addSparkListener(listener);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, step + "-progress");
      t.setDaemon(true);
      return t;
    });
    long ms = Math.max(1, every.toMillis());
    timer.scheduleAtFixedRate(this::report, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts reporting {@code step}'s progress towards {@code total} {@code unit} (e.g. "images") to {@code log} every
   * {@code every}.
   */
  public static JobProgress start(SparkContext sc, String step, String unit, long total, Duration every,
      Consumer<String> log) {
    return new JobProgress(sc, step, unit, total, every, log);
  }

  /** The accumulator the tasks add their progress to (ship it in the task's closure). */
  public LongAccumulator counter() {
    return counter;
  }

  /** Done so far: the ended tasks' count and the running tasks' last reported counts. */
  public long done() {
    long sum = counter.value();
    for (long v : running.values()) {
      sum += v;
    }
    return Math.min(sum, total);
  }

  private double seconds() {
    return (System.nanoTime() - started) / 1e9;
  }

  private void observe() {
    rate.observe(done(), seconds());
  }

  private synchronized void report() {
    long done = done();
    if (done == reported || done >= total) {
      return;
    }
    reported = done;
    log.accept(line(step, unit, done, total, rate.perSecond(), rate.secondsLeft(total, seconds())));
  }

  /**
   * The rate of a job as the driver sees it. A running task's count reaches the driver only with a heartbeat, up
   * to 10 s late, so a count is timed by when it arrived, not by when a line is logged; the rate runs from the
   * first count to the newest, leaving out the start-up before (launching executors, loading a model), which
   * would make every early ETA too long. Until two counts are a second apart: the newest over the time since the
   * job's start.
   */
  static final class Rate {
    private double firstSeconds = -1;
    private long firstDone;
    private double lastSeconds;
    private long lastDone;

    /**
     * The driver has {@code done} at {@code seconds} since the job's start; only a change is news. A count below the
     * last one means work was lost (a failed task's count is dropped; a barrier stage reruns all its tasks from 0):
     * the rate starts again from there, instead of going negative.
     */
    synchronized void observe(long done, double seconds) {
      if (done <= 0 || done == lastDone) {
        return;
      }
      if (firstSeconds < 0 || done < lastDone) {
        firstSeconds = seconds;
        firstDone = done;
      }
      lastSeconds = seconds;
      lastDone = done;
    }

    /** Units per second, 0 before any progress. */
    synchronized double perSecond() {
      if (firstSeconds >= 0 && lastSeconds - firstSeconds >= 1) {
        return (lastDone - firstDone) / (lastSeconds - firstSeconds);
      }
      return lastSeconds > 0 ? lastDone / lastSeconds : 0;
    }

    /** The seconds left of {@code total} at {@code seconds}: the rest at the newest count, less the time since. */
    synchronized double secondsLeft(long total, double seconds) {
      double rate = perSecond();
      return rate > 0 ? Math.max(0, (total - lastDone) / rate - (seconds - lastSeconds)) : Double.NaN;
    }
  }

  /** The progress line: count, share, rate and the time left ({@code NaN}: unknown). */
  static String line(String step, String unit, long done, long total, double rate, double secondsLeft) {
    String eta = Double.isNaN(secondsLeft) ? "unknown" : duration(secondsLeft);
    return String.format(Locale.ROOT, "%s: %,d of %,d %s (%.1f%%), %.1f %s/s, ETA %s", step, done, total, unit,
        100.0 * done / Math.max(1, total), rate, unit, eta);
  }

  /** {@code 12m05s}, or {@code 1h02m} from an hour on. */
  public static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }

  private static <T> List<T> asList(Seq<T> seq) {
    return JavaConverters.seqAsJavaList(seq);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    sc.removeSparkListener(listener);
  }
}
