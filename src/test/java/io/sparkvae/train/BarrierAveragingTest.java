package io.sparkvae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link BarrierAveraging} in local[2] against the same algorithm done by hand in one JVM: two copies of the network
 * fit their partitions' minibatches in order and, every {@code frequency} minibatches, both take the average of
 * their parameters and Adam states, each weighted by the minibatches it fitted in the round. The partitions are
 * uneven (7 and 4 minibatches, frequency 3), so the second worker fits one minibatch in round 2 and none in round
 * 3, where its state must not count.
 */
class BarrierAveragingTest {
  private static final int[] SHARES = {7, 4};
  private static final int FREQUENCY = 3;
  private static SparkSession spark;
  private static JavaSparkContext jsc;

  @BeforeAll
  static void start() {
    spark = TinyAutoencoder.session("barrier-averaging-test");
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static ComputationGraph newGraph() {
    return TinyAutoencoder.graph();
  }

  /** Minibatch {@code index} of worker {@code worker}. */
  private static MultiDataSet minibatch(int worker, int index) {
    return TinyAutoencoder.minibatch(1000L * worker + index);
  }

  /** Worker w's minibatches as compact minibatches (arrays built when fitted, on the prefetch thread). */
  private static JavaRDD<MultiDataSet> batches() {
    return jsc.parallelize(List.of(0, 1), 2).mapPartitionsWithIndex((Integer worker, Iterator<Integer> ignored) -> {
      List<MultiDataSet> out = new ArrayList<>();
      for (int i = 0; i < SHARES[worker]; i++) {
        out.add(new CompactMinibatch<>(List.of(i), (List<Integer> ids) -> minibatch(worker, ids.get(0))));
      }
      return out.iterator();
    }, true);
  }

  @Test
  void twoWorkersAverageAsTheAlgorithmSaysWeightedByTheMinibatchesEachFitted() {
    BarrierAveraging trainer = new BarrierAveraging(jsc, newGraph(), 2, FREQUENCY, 2, true);
    LongAccumulator progress = jsc.sc().longAccumulator("examples fitted");
    trainer.fitEpoch(batches(), progress);
    assertEquals(4L * (SHARES[0] + SHARES[1]), progress.value(), "every fitted example counted once");

    ComputationGraph[] byHand = {newGraph(), newGraph()};
    int longest = Math.max(SHARES[0], SHARES[1]);
    double lastRoundLoss = 0;
    int lastRoundCount = 0;
    for (int from = 0; from < longest; from += FREQUENCY) {
      double[] weights = new double[2];
      lastRoundLoss = 0;
      lastRoundCount = 0;
      for (int w = 0; w < 2; w++) {
        for (int i = from; i < Math.min(from + FREQUENCY, SHARES[w]); i++) {
          byHand[w].fit(minibatch(w, i));
          lastRoundLoss += byHand[w].score();
          lastRoundCount++;
          weights[w]++;
        }
      }
      INDArray params = average(byHand[0].params(), byHand[1].params(), weights);
      INDArray state = average(byHand[0].getUpdater().getStateViewArray(),
          byHand[1].getUpdater().getStateViewArray(), weights);
      for (ComputationGraph g : byHand) {
        g.params().assign(params);
        g.getUpdater().getStateViewArray().assign(state);
      }
    }

    ComputationGraph trained = trainer.network();
    assertArrayEquals(byHand[0].params().toFloatVector(), trained.params().toFloatVector(), 1e-6f);
    assertArrayEquals(byHand[0].getUpdater().getStateViewArray().toFloatVector(),
        trained.getUpdater().getStateViewArray().toFloatVector(), 1e-6f);
    assertNotEquals(0.0, byHand[0].getUpdater().getStateViewArray().norm2Number().doubleValue());
    assertEquals(longest, trained.getIterationCount());
    assertEquals(lastRoundLoss / lastRoundCount, trainer.score(), 1e-6);
    assertEquals(1, lastRoundCount); // only worker 0 fitted in the last round
    BarrierAveraging.EpochStats stats = trainer.lastEpoch();
    assertEquals(2, stats.workers());
    assertEquals(3, stats.rounds());

    // a second epoch continues from the averaged state, counting iterations on
    trainer.fitEpoch(batches());
    assertEquals(2 * longest, trainer.network().getIterationCount());
  }

  @Test
  void oneWorkerFitsEveryMinibatchOfBothPartitions() {
    ComputationGraph start = newGraph();
    INDArray before = start.params().dup();
    BarrierAveraging trainer = new BarrierAveraging(jsc, start, 1, FREQUENCY, 0, true);
    trainer.fitEpoch(batches());
    assertEquals(SHARES[0] + SHARES[1], trainer.network().getIterationCount());
    assertEquals(1, trainer.lastEpoch().workers());
    assertNotEquals(before, trainer.network().params());
  }

  /** Weighted mean in double, rounded to float, as the workers compute it. */
  private static INDArray average(INDArray a, INDArray b, double[] weights) {
    double total = weights[0] + weights[1];
    float[] x = a.toFloatVector();
    float[] y = b.toFloatVector();
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      double sum = 0;
      if (weights[0] > 0) {
        sum += weights[0] * x[i];
      }
      if (weights[1] > 0) {
        sum += weights[1] * y[i];
      }
      out[i] = (float) (sum / total);
    }
    return Nd4j.create(out, a.shape());
  }
}
