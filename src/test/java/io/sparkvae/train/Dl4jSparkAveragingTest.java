package io.sparkvae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkvae.config.AppConfig;
import io.sparkvae.config.ConfigLoader;
import io.sparkvae.config.TrainConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * {@code train.averaging = dl4j-spark}: its workers go on from the driver's iteration count in every averaging
 * round (Adam's bias correction does not start again), and they report the examples they fit.
 */
class Dl4jSparkAveragingTest {
  private static final int FREQUENCY = 3;
  private static SparkSession spark;
  private static JavaSparkContext jsc;

  @BeforeAll
  static void start() {
    spark = TinyAutoencoder.session("dl4j-spark-averaging-test");
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static TrainConfig config(int workers) {
    return config(workers, "direct");
  }

  private static TrainConfig config(int workers, String approach) {
    return AppConfig.from(ConfigLoader.load(null, List.of("train.averaging=dl4j-spark", "train.workers=" + workers,
        "train.batch-size-per-worker=4", "train.averaging-frequency=" + FREQUENCY, "train.prefetch-batches=0",
        "train.rdd-training-approach=" + approach))).train();
  }

  private static JavaRDD<MultiDataSet> batches(List<Integer> seeds, int partitions) {
    return jsc.parallelize(seeds, partitions).map(TinyAutoencoder::minibatch);
  }

  /** Records the iteration count of the worker's network before each minibatch (after the hooks before it). */
  static final class IterationsSeen implements TrainingHook {
    private final CollectionAccumulator<Integer> seen;

    IterationsSeen(CollectionAccumulator<Integer> seen) {
      this.seen = seen;
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
      seen.add(((ComputationGraph) model).getConfiguration().getIterationCount());
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {}

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {}

    @Override
    public void postUpdate(DataSet minibatch, Model model) {}
  }

  @ParameterizedTest
  @ValueSource(strings = {"direct", "export"})
  void workersGoOnFromTheDriversIterationCountInEveryRound(String approach, @TempDir Path exports) {
    SparkComputationGraph trainer = ParameterAveraging.dl4jSpark(jsc, TinyAutoencoder.graph(), config(2, approach),
        exports.toUri().toString());
    CollectionAccumulator<Integer> seen = jsc.sc().collectionAccumulator("iterations seen");
    trainer.getTrainingMaster().addHook(new IterationsSeen(seen));
    List<Integer> seeds = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      seeds.add(i);
    }
    // 24 minibatches, 2 workers averaging every 3: 4 rounds, each worker fitting 3 minibatches in each
    for (int epoch = 0; epoch < 2; epoch++) {
      seen.reset();
      ParameterAveraging.fitEpoch(trainer, batches(seeds, 2));
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        expected.add(12 * epoch + i);
        expected.add(12 * epoch + i);
      }
      List<Integer> counts = new ArrayList<>(seen.value());
      Collections.sort(counts);
      assertEquals(expected, counts, "the workers' iteration counts before each minibatch in epoch " + (epoch + 1));
      assertEquals(12 * (epoch + 1), trainer.getNetwork().getIterationCount(), "the driver's count");
    }
  }

  @Test
  void oneWorkersRoundsTrainAsOneJvmTrainsWithAdam() {
    // the same minibatch 12 times, so that the order dl4j-spark's rounds pick them in does not matter
    List<Integer> seeds = Collections.nCopies(12, 5);
    SparkComputationGraph trainer = ParameterAveraging.dl4jSpark(jsc, TinyAutoencoder.graph(), config(1), "");
    ParameterAveraging.fitEpoch(trainer, batches(seeds, 1));
    ComputationGraph alone = TinyAutoencoder.graph();
    for (int i = 0; i < seeds.size(); i++) {
      alone.fit(TinyAutoencoder.minibatch(5));
    }
    assertEquals(12, alone.getIterationCount());
    assertArrayEquals(alone.params().toFloatVector(), trainer.getNetwork().params().toFloatVector(), 1e-6f,
        "4 rounds of 3 Adam steps on one worker, averaged over that one worker, are 12 steps in one JVM");
  }

  @Test
  void workersCountTheExamplesTheyFit() {
    AveragingTrainer trainer = ParameterAveraging.trainer(jsc, TinyAutoencoder.graph(), config(2), "");
    LongAccumulator progress = jsc.sc().longAccumulator("examples fitted");
    List<Integer> seeds = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      seeds.add(i);
    }
    trainer.fitEpoch(batches(seeds, 2), progress);
    assertEquals(24L * 4, progress.value(), "every example of the epoch counted once");
    trainer.fitEpoch(batches(seeds, 2));
    assertEquals(24L * 4, progress.value(), "the counting hook is gone after its epoch");
  }
}
