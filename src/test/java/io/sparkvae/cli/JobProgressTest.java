package io.sparkvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

class JobProgressTest {
  /** Holds the tasks halfway until the driver has seen their progress (local mode: one JVM). */
  private static final CountDownLatch HALFWAY = new CountDownLatch(1);

  @Test
  void reportsRunningTasksFromTheirHeartbeats() throws Exception {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("progress-test")
        .config("spark.ui.enabled", "false").config("spark.executor.heartbeatInterval", "200ms").getOrCreate();
    List<String> lines = new CopyOnWriteArrayList<>();
    try (JobProgress progress = JobProgress.start(spark.sparkContext(), "test", "items", 10, Duration.ofMillis(100),
        lines::add)) {
      LongAccumulator counter = progress.counter();
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      // two tasks of 5 items each: 3 done, then a wait that only the driver's sight of those 6 ends
      CompletableFuture<Void> job = CompletableFuture.runAsync(() -> jsc.parallelize(List.of(0, 1), 2)
          .foreach(task -> {
            counter.add(3);
            if (!HALFWAY.await(60, TimeUnit.SECONDS)) {
              throw new IllegalStateException("the driver never saw the tasks' progress");
            }
            counter.add(2);
          }));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (progress.done() < 6 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      // the accumulator itself says 0 until a task ends: the 6 come from the heartbeats
      assertEquals(0L, counter.value());
      assertEquals(6, progress.done());
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (lines.stream().noneMatch(l -> l.startsWith("test: 6 of 10 items (60.0%), "))
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("test: 6 of 10 items (60.0%), ")), lines.toString());
      HALFWAY.countDown();
      job.get(60, TimeUnit.SECONDS);
      assertEquals(10L, counter.value());
      assertEquals(10, progress.done(), "ended tasks are counted once");
    } finally {
      HALFWAY.countDown();
      spark.stop();
    }
  }

  @Test
  void lineGivesCountShareRateAndTimeLeft() {
    assertEquals("sample: 12,300 of 50,000 images (24.6%), 41.0 images/s, ETA 15m20s",
        JobProgress.line("sample", "images", 12_300, 50_000, 41.0, 920));
    assertEquals("encode: 0 of 7 images (0.0%), 0.0 images/s, ETA unknown",
        JobProgress.line("encode", "images", 0, 7, 0, Double.NaN));
    assertEquals("1h02m", JobProgress.duration(3725));
  }

  /**
   * 20 s of start-up, then 10 items/s, seen in heartbeats: the rate is 10/s (not the 3.4/s since the start), and
   * the time left counts from the newest heartbeat's count, not from the count at the time of the line.
   */
  @Test
  void rateLeavesOutTheStartUpAndTimesCountsByTheirArrival() {
    JobProgress.Rate rate = new JobProgress.Rate();
    assertEquals(0.0, rate.perSecond());
    assertTrue(Double.isNaN(rate.secondsLeft(1000, 5)));
    rate.observe(0, 10);
    assertEquals(0.0, rate.perSecond());
    rate.observe(5, 20.5); // the first heartbeat that carries progress
    rate.observe(8, 20.8);
    assertEquals(8 / 20.8, rate.perSecond(), 1e-9, "under a second since then: since the start");
    rate.observe(105, 30.5);
    rate.observe(105, 35); // no news: the count stays timed at 30.5
    assertEquals(10.0, rate.perSecond(), 1e-9);
    assertEquals((1000 - 105) / 10.0 - 7.5, rate.secondsLeft(1000, 38), 1e-9);
    rate.observe(205, 40.5);
    assertEquals(10.0, rate.perSecond(), 1e-9);
    assertEquals(0.0, rate.secondsLeft(210, 45), "never below zero");
  }

  /** A retried barrier stage starts its count again: the rate is measured from the restart, never negative. */
  @Test
  void rateStartsAgainWhenTheCountFalls() {
    JobProgress.Rate rate = new JobProgress.Rate();
    rate.observe(100, 10);
    rate.observe(300, 20);
    assertEquals(20.0, rate.perSecond(), 1e-9);
    rate.observe(40, 30); // the stage failed at about 300 and reran from 0
    assertTrue(rate.perSecond() > 0, "not negative right after the fall: " + rate.perSecond());
    rate.observe(90, 40);
    assertEquals(5.0, rate.perSecond(), 1e-9, "from the restart's first count on");
    assertEquals((1000 - 90) / 5.0, rate.secondsLeft(1000, 40), 1e-9);
  }
}
