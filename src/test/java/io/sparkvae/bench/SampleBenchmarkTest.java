package io.sparkvae.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The arithmetic behind the benchmark's sampling ratios: the line through a round's times and the medians. */
class SampleBenchmarkTest {
  @Test
  void fitRecoversTheFixedCostAndTheTimePerImage() {
    double[] sizes = {2000, 10000, 50000};
    double[] seconds = new double[3];
    for (int i = 0; i < 3; i++) {
      seconds[i] = 0.2 + sizes[i] / 8000; // F = 0.2 s, R = 8,000 img/s
    }
    assertArrayEquals(new double[] {0.2, 1.0 / 8000}, SampleBenchmark.fit(sizes, seconds), 1e-12);
  }

  @Test
  void fitIsLeastSquaresWhenThePointsAreOffTheLine() {
    // points (0, 1), (1, 0), (2, 2): slope 0.5, intercept 0.5
    assertArrayEquals(new double[] {0.5, 0.5}, SampleBenchmark.fit(new double[] {0, 1, 2}, new double[] {1, 0, 2}),
        1e-12);
  }

  @Test
  void medianOfOddAndEvenCountsLeavesTheInputAlone() {
    double[] odd = {0.9, 0.5, 0.7, 0.1, 0.8};
    assertEquals(0.7, SampleBenchmark.median(odd));
    assertArrayEquals(new double[] {0.9, 0.5, 0.7, 0.1, 0.8}, odd);
    assertEquals(0.6, SampleBenchmark.median(new double[] {0.8, 0.5, 0.7, 0.1}), 1e-12);
  }

  @Test
  void oneSizeCannotBeFitted() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SampleBenchmark.run(VaeBenchmark.spec("cifar"), new int[] {2000, 2000}, 5));
    assertEquals("sample needs two or more different sizes and a round, got [2000, 2000] and 5 rounds",
        e.getMessage());
  }
}
