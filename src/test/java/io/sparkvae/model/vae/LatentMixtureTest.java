package io.sparkvae.model.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Tests of {@link LatentMixture} (EM fit, density, sampling) and its JSON form {@link LatentMixtureJson}. */
class LatentMixtureTest {

  /** Two well separated 2-D Gaussians, 30% / 70%, with different correlated covariances. */
  private static final double[] W = {0.3, 0.7};
  private static final double[][] MEANS = {{-4, 1}, {3, -2}};
  private static final double[][] TRIL = {{1.0, 0, 0.5, 0.4}, {0.3, 0, -0.6, 1.2}};
  private static final LatentMixture TRUTH = new LatentMixture(W, MEANS, TRIL);

  private static double[] draws(LatentMixture m, int n, long seed) {
    float[] z = new float[n * m.dim()];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      m.sample(r, 1.0, z, i * m.dim());
    }
    double[] out = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      out[i] = z[i];
    }
    return out;
  }

  /** Σ = L Lᵀ of a row-major 2×2 lower-triangular factor. */
  private static double[] cov2(double[] l) {
    return new double[] {l[0] * l[0], l[0] * l[2], l[2] * l[2] + l[3] * l[3]};
  }

  @Test
  void emRecoversTheWeightsMeansAndCovariancesOfTwoGaussians() {
    double[] x = draws(TRUTH, 6000, 1);
    LatentMixture fit = LatentMixture.fit(x, 6000, 2, 2, 200, 3);
    // components come out in either order: match them by the sign of the first mean
    int a = fit.means()[0][0] < 0 ? 0 : 1;
    int[] order = {a, 1 - a};
    for (int c = 0; c < 2; c++) {
      int f = order[c];
      assertEquals(W[c], fit.weights()[f], 0.02, "weight of component " + c);
      assertArrayEquals(MEANS[c], fit.means()[f], 0.06, "mean of component " + c);
      assertArrayEquals(cov2(TRIL[c]), cov2(fit.scaleTril()[f]), 0.08, "covariance of component " + c);
    }
    // the truth's density of the same data is within noise of the fit's, and both far above one Gaussian's
    LatentMixture one = LatentMixture.fit(x, 6000, 2, 1, 200, 3);
    double truth = TRUTH.meanLogLikelihood(x, 6000);
    assertEquals(truth, fit.meanLogLikelihood(x, 6000), 0.01);
    assertTrue(one.meanLogLikelihood(x, 6000) < truth - 0.5, "one Gaussian fits two clusters worse");
  }

  @Test
  void oneComponentIsTheSampleMeanAndCovariance() {
    double[] x = {1, 2, 3, 1, 2, 5, 0, 0};
    LatentMixture fit = LatentMixture.fit(x, 4, 2, 1, 50, 1);
    assertArrayEquals(new double[] {1.5, 2}, fit.means()[0], 1e-12);
    // population covariance: var x = 1.25, cov = 0.75, var y = 3.5 (plus a 1e-6 relative ridge)
    assertArrayEquals(new double[] {1.25, 0.75, 3.5}, cov2(fit.scaleTril()[0]), 1e-5);
    assertArrayEquals(new double[] {1}, fit.weights(), 0);
  }

  @Test
  void densityOfOneStandardGaussianIsTheStandardNormals() {
    LatentMixture standard = new LatentMixture(new double[] {1}, new double[][] {{0, 0, 0}},
        new double[][] {{1, 0, 0, 0, 1, 0, 0, 0, 1}});
    double[] x = {0.5, -1, 2, 0, 0, 0};
    assertEquals(LatentMixture.standardNormalMeanLogLikelihood(x, 2, 3), standard.meanLogLikelihood(x, 2), 1e-12);
    // log N(0; 0, I) in 3 dimensions = -1.5 log 2π
    assertEquals(-1.5 * Math.log(2 * Math.PI), LatentMixture.standardNormalMeanLogLikelihood(new double[3], 1, 3),
        1e-12);
  }

  @Test
  void drawsHaveTheMixturesMomentsAndTemperatureScalesTheSpread() {
    int n = 40_000;
    double[] x = draws(TRUTH, n, 9);
    double[] mean = new double[2];
    for (int i = 0; i < n; i++) {
      mean[0] += x[2 * i] / n;
      mean[1] += x[2 * i + 1] / n;
    }
    double[] expected = {W[0] * MEANS[0][0] + W[1] * MEANS[1][0], W[0] * MEANS[0][1] + W[1] * MEANS[1][1]};
    assertArrayEquals(expected, mean, 0.03);
    // at temperature 0 every draw is one of the two means, in the mixture's proportions
    float[] z = new float[2];
    SplittableRandom r = new SplittableRandom(4);
    int first = 0;
    for (int i = 0; i < 10_000; i++) {
      TRUTH.sample(r, 0.0, z, 0);
      boolean isFirst = z[0] == (float) MEANS[0][0] && z[1] == (float) MEANS[0][1];
      assertTrue(isFirst || z[0] == (float) MEANS[1][0] && z[1] == (float) MEANS[1][1], Arrays.toString(z));
      first += isFirst ? 1 : 0;
    }
    assertEquals(0.3, first / 10_000.0, 0.02);
  }

  @Test
  void theSameDataAndSeedGiveTheSameMixture() {
    double[] x = draws(TRUTH, 2000, 5);
    LatentMixture a = LatentMixture.fit(x, 2000, 2, 4, 100, 11);
    LatentMixture b = LatentMixture.fit(x, 2000, 2, 4, 100, 11);
    assertArrayEquals(a.weights(), b.weights(), 0);
    for (int c = 0; c < 4; c++) {
      assertArrayEquals(a.means()[c], b.means()[c], 0);
      assertArrayEquals(a.scaleTril()[c], b.scaleTril()[c], 0);
    }
  }

  @Test
  void jsonRoundTripKeepsEveryNumber() {
    double[] x = draws(TRUTH, 1000, 6);
    LatentMixture m = LatentMixture.fit(x, 1000, 2, 3, 100, 2);
    String json = LatentMixtureJson.write(m, LatentMixtureJson.fitSummary().put("components", 3));
    LatentMixture back = LatentMixtureJson.read(json, "test.json");
    assertArrayEquals(m.weights(), back.weights(), 0);
    for (int c = 0; c < 3; c++) {
      assertArrayEquals(m.means()[c], back.means()[c], 0);
      assertArrayEquals(m.scaleTril()[c], back.scaleTril()[c], 0);
    }
    float[] z1 = new float[2];
    float[] z2 = new float[2];
    m.sample(new SplittableRandom(1), 1.0, z1, 0);
    back.sample(new SplittableRandom(1), 1.0, z2, 0);
    assertArrayEquals(z1, z2, 0);
  }

  @Test
  void badInputIsNamed() {
    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
        () -> LatentMixture.fit(new double[] {1, 2, 3, 4}, 2, 2, 3, 10, 1));
    assertEquals("cannot fit 3 mixture components to 2 latent vectors", tooMany.getMessage());
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> LatentMixture.fit(new double[] {1, Double.NaN}, 1, 2, 1, 10, 1));
    assertEquals("latent vectors to fit hold a non-finite value: NaN", nan.getMessage());
    IllegalArgumentException weights = assertThrows(IllegalArgumentException.class,
        () -> new LatentMixture(new double[] {0.5, 0.4}, MEANS, TRIL));
    assertTrue(weights.getMessage().startsWith("latent mixture weights must sum to 1, got 0.9"),
        weights.getMessage());
    IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class,
        () -> LatentMixtureJson.read("{\"format\": \"something else\"}", "runs/x/latent-prior.json"));
    assertEquals("runs/x/latent-prior.json is not a latent prior written by spark-vae (its \"format\" is "
        + "\"something else\", expected \"" + LatentMixtureJson.FORMAT + "\")", notJson.getMessage());
    String good = LatentMixtureJson.write(TRUTH, LatentMixtureJson.fitSummary());
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> LatentMixtureJson.read(good.replaceFirst("\"means\" : \\[ \\[ -4.0, 1.0 \\]", "\"means\" : [ [ -4.0 ]"),
            "p.json"));
    assertTrue(shape.getMessage().startsWith("p.json: latent mixture component 0 is malformed"),
        shape.getMessage());
  }
}
