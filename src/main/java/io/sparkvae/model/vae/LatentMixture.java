package io.sparkvae.model.vae;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A mixture of Gaussians with full covariances over the VAE's latent space, fitted by EM to the encoder means of
 * training images ("ex-post density estimation", Ghosh et al. 2020). Sampling z from it instead of from N(0, I)
 * avoids the regions of the latent space that no training image encodes to, where the decoder draws blends.
 *
 * <p>Immutable; each covariance is kept as its lower-triangular Cholesky factor.
 */
public final class LatentMixture implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final double LOG_2PI = Math.log(2 * Math.PI);
  /** Lloyd iterations of the k-means start. */
  private static final int KMEANS_ITERATIONS = 10;
  /** EM stops when the mean log-likelihood gains less than this (nats per vector), as scikit-learn's default. */
  private static final double TOLERANCE = 1e-3;
  /** Rows per parallel task of a log-likelihood pass (and EM's E step). */
  private static final int CHUNK = 512;

  private final int dim;
  private final double[] weights;
  private final double[][] means;
  /** Row-major d×d lower-triangular factors L with L Lᵀ = Σ. */
  private final double[][] scaleTril;

  /**
   * @param weights   mixing weights, positive, summing to 1
   * @param means     one mean of length d per component
   * @param scaleTril one row-major d×d lower-triangular Cholesky factor per component, positive diagonal
   */
  public LatentMixture(double[] weights, double[][] means, double[][] scaleTril) {
    int k = weights.length;
    if (k == 0 || means.length != k || scaleTril.length != k) {
      throw new IllegalArgumentException("a latent mixture needs the same number (>= 1) of weights, means and "
          + "scale factors, got " + k + ", " + means.length + " and " + scaleTril.length);
    }
    this.dim = means[0].length;
    double sum = 0;
    for (int c = 0; c < k; c++) {
      if (!(weights[c] >= 0) || means[c].length != dim || scaleTril[c].length != dim * dim) {
        throw new IllegalArgumentException("latent mixture component " + c + " is malformed: weight "
            + weights[c] + ", mean of length " + means[c].length + ", scale of length " + scaleTril[c].length
            + " (expected " + dim + " and " + dim * dim + ")");
      }
      for (double v : means[c]) {
        requireFinite(v, c, "mean");
      }
      for (double v : scaleTril[c]) {
        requireFinite(v, c, "scale factor");
      }
      for (int i = 0; i < dim; i++) {
        if (!(scaleTril[c][i * dim + i] > 0)) {
          throw new IllegalArgumentException("latent mixture component " + c + ": the scale factor's diagonal "
              + "must be positive, got " + scaleTril[c][i * dim + i] + " at " + i);
        }
      }
      sum += weights[c];
    }
    if (Math.abs(sum - 1) > 1e-6) {
      throw new IllegalArgumentException("latent mixture weights must sum to 1, got " + sum);
    }
    this.weights = weights.clone();
    this.means = deepCopy(means);
    this.scaleTril = deepCopy(scaleTril);
  }

  private static void requireFinite(double v, int component, String what) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("latent mixture component " + component + ": its " + what
          + " holds a non-finite value: " + v);
    }
  }

  public int dim() {
    return dim;
  }

  public int components() {
    return weights.length;
  }

  public double[] weights() {
    return weights.clone();
  }

  public double[][] means() {
    return deepCopy(means);
  }

  public double[][] scaleTril() {
    return deepCopy(scaleTril);
  }

  /**
   * Fits {@code k} components to the {@code n} rows of {@code x} (row-major n×d) by EM from a k-means start.
   *
   * @param maxIterations EM iterations at most; EM stops earlier when the mean log-likelihood gains less than 1e-3
   * @param seed          seed of the k-means++ start: the same data and seed give the same mixture
   */
  public static LatentMixture fit(double[] x, int n, int d, int k, int maxIterations, long seed) {
    if (n < 1 || d < 1 || x.length != (long) n * d) {
      throw new IllegalArgumentException("need n >= 1 rows of d >= 1 values, got " + x.length + " values for "
          + n + " x " + d);
    }
    if (k < 1 || k > n) {
      throw new IllegalArgumentException("cannot fit " + k + " mixture components to " + n + " latent vectors");
    }
    for (double v : x) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("latent vectors to fit hold a non-finite value: " + v);
      }
    }
    return new Em(x, n, d, k, seed).run(maxIterations);
  }

  /** Mean log-density (nats per vector) of the {@code n} rows of {@code x}. */
  public double meanLogLikelihood(double[] x, int n) {
    return meanLogLikelihood(x, n, dim, weights, means, scaleTril, null);
  }

  /**
   * Mean log-density of the {@code n} rows of {@code x} under the mixture (weights, means, scale factors); with
   * {@code resp} given, also each row's responsibilities (row-major [n, k]), which is EM's E step. Rows in
   * parallel chunks.
   */
  private static double meanLogLikelihood(double[] x, int n, int d, double[] weights, double[][] means,
      double[][] tril, double[] resp) {
    int k = weights.length;
    double[][] inv = inverses(tril, d);
    double[] logNorm = logNormalisers(weights, tril, d);
    return IntStream.range(0, (n + CHUNK - 1) / CHUNK).parallel().mapToDouble(chunk -> {
      double[] centred = new double[d];
      double[] logp = new double[k];
      double total = 0;
      for (int i = chunk * CHUNK; i < Math.min(n, (chunk + 1) * CHUNK); i++) {
        componentLogDensities(x, i, d, means, inv, logNorm, centred, logp);
        double lse = logSumExp(logp);
        total += lse;
        if (resp != null) {
          for (int c = 0; c < k; c++) {
            resp[i * k + c] = Math.exp(logp[c] - lse);
          }
        }
      }
      return total;
    }).sum() / n;
  }

  /** Mean log-density of the rows of {@code x} under N(0, I) in {@code d} dimensions, for comparison. */
  public static double standardNormalMeanLogLikelihood(double[] x, int n, int d) {
    double sq = 0;
    for (double v : x) {
      sq += v * v;
    }
    return -0.5 * (d * LOG_2PI + sq / n);
  }

  /**
   * Writes one draw into {@code out[offset .. offset+dim)}: a component by weight, then its mean plus
   * {@code temperature} times its scale factor applied to standard normal noise.
   */
  public void sample(SplittableRandom rng, double temperature, float[] out, int offset) {
    double u = rng.nextDouble();
    int c = 0;
    double acc = weights[0];
    while (u >= acc && c < weights.length - 1) {
      acc += weights[++c];
    }
    double[] eps = new double[dim];
    for (int i = 0; i < dim; i++) {
      eps[i] = rng.nextGaussian();
    }
    double[] l = scaleTril[c];
    for (int i = 0; i < dim; i++) {
      double s = 0;
      for (int j = 0; j <= i; j++) {
        s += l[i * dim + j] * eps[j];
      }
      out[offset + i] = (float) (means[c][i] + temperature * s);
    }
  }

  /** The EM iterations: responsibilities, then weighted means and covariances (with a small ridge). */
  private static final class Em {
    private final double[] x;
    private final int n;
    private final int d;
    private final int k;
    private final long seed;
    private final double ridge;

    Em(double[] x, int n, int d, int k, long seed) {
      this.x = x;
      this.n = n;
      this.d = d;
      this.k = k;
      this.seed = seed;
      // a ridge of 1e-6 of the data's mean variance keeps every covariance positive definite
      double[] mean = new double[d];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < d; j++) {
          mean[j] += x[i * d + j] / n;
        }
      }
      double var = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < d; j++) {
          double t = x[i * d + j] - mean[j];
          var += t * t;
        }
      }
      this.ridge = 1e-6 * Math.max(var / ((double) n * d), 1e-12);
    }

    LatentMixture run(int maxIterations) {
      double[] resp = kMeansStart();
      double[] weights = new double[k];
      double[][] means = new double[k][d];
      double[][] tril = new double[k][d * d];
      for (int c = 0; c < k; c++) {
        // k-means clusters start from data points and are seldom empty, so the first M step gives almost every
        // component its own mean and covariance; N(0, I) with a tiny weight stands in for an empty one
        means[c] = new double[d];
        tril[c] = identity(d);
      }
      maximise(resp, weights, means, tril);
      double previous = Double.NEGATIVE_INFINITY;
      for (int it = 0; it < maxIterations; it++) {
        double ll = meanLogLikelihood(x, n, d, weights, means, tril, resp); // the E step
        if (ll - previous < TOLERANCE) {
          break;
        }
        previous = ll;
        maximise(resp, weights, means, tril);
      }
      return new LatentMixture(weights, means, tril);
    }

    /** k-means++ seeding and a few Lloyd iterations; the hard assignments as one-hot responsibilities. */
    private double[] kMeansStart() {
      SplittableRandom rng = new SplittableRandom(seed);
      double[][] centres = new double[k][];
      centres[0] = row(rng.nextInt(n));
      double[] dist = new double[n];
      Arrays.fill(dist, Double.POSITIVE_INFINITY);
      for (int c = 1; c < k; c++) {
        double total = 0;
        for (int i = 0; i < n; i++) {
          dist[i] = Math.min(dist[i], sqDist(i, centres[c - 1]));
          total += dist[i];
        }
        double u = rng.nextDouble() * total;
        int pick = n - 1;
        for (int i = 0; i < n; i++) {
          u -= dist[i];
          if (u < 0) {
            pick = i;
            break;
          }
        }
        centres[c] = row(pick);
      }
      int[] assign = new int[n];
      for (int it = 0; it < KMEANS_ITERATIONS; it++) {
        for (int i = 0; i < n; i++) {
          int best = 0;
          double bestD = Double.POSITIVE_INFINITY;
          for (int c = 0; c < k; c++) {
            double dd = sqDist(i, centres[c]);
            if (dd < bestD) {
              bestD = dd;
              best = c;
            }
          }
          assign[i] = best;
        }
        double[][] sums = new double[k][d];
        int[] counts = new int[k];
        for (int i = 0; i < n; i++) {
          counts[assign[i]]++;
          for (int j = 0; j < d; j++) {
            sums[assign[i]][j] += x[i * d + j];
          }
        }
        for (int c = 0; c < k; c++) {
          if (counts[c] > 0) {
            for (int j = 0; j < d; j++) {
              centres[c][j] = sums[c][j] / counts[c];
            }
          }
        }
      }
      double[] oneHot = new double[n * k];
      for (int i = 0; i < n; i++) {
        oneHot[i * k + assign[i]] = 1;
      }
      return oneHot;
    }

    /**
     * M step from responsibilities (row-major [n, k]); components in parallel. A component left with (almost) no
     * responsibility keeps its previous mean and covariance, with a weight of its tiny share.
     */
    private void maximise(double[] resp, double[] weights, double[][] means, double[][] tril) {
      double floor = 1e-9 * n;
      IntStream.range(0, k).parallel().forEach(c -> {
        double nk = 0;
        double[] m = new double[d];
        for (int i = 0; i < n; i++) {
          double r = resp[i * k + c];
          nk += r;
          for (int j = 0; j < d; j++) {
            m[j] += r * x[i * d + j];
          }
        }
        weights[c] = Math.max(nk, floor) / n;
        if (nk < Math.max(floor, 1e-300)) {
          return;
        }
        for (int j = 0; j < d; j++) {
          m[j] /= nk;
        }
        double[] cov = new double[d * d];
        double[] t = new double[d];
        for (int i = 0; i < n; i++) {
          double r = resp[i * k + c];
          if (r < 1e-12) {
            continue; // below 1e-12 of one vector: no visible effect on a covariance, and most of the work
          }
          for (int j = 0; j < d; j++) {
            t[j] = x[i * d + j] - m[j];
          }
          for (int a = 0; a < d; a++) {
            double ra = r * t[a];
            int base = a * d;
            for (int b = 0; b <= a; b++) {
              cov[base + b] += ra * t[b];
            }
          }
        }
        for (int a = 0; a < d; a++) {
          for (int b = 0; b <= a; b++) {
            cov[a * d + b] /= nk;
            cov[b * d + a] = cov[a * d + b];
          }
          cov[a * d + a] += ridge;
        }
        means[c] = m;
        tril[c] = cholesky(cov, d);
      });
      double totalWeight = 0;
      for (int c = 0; c < k; c++) {
        totalWeight += weights[c];
      }
      for (int c = 0; c < k; c++) {
        weights[c] /= totalWeight;
      }
    }

    private double[] row(int i) {
      return Arrays.copyOfRange(x, i * d, (i + 1) * d);
    }

    private double sqDist(int i, double[] centre) {
      double s = 0;
      for (int j = 0; j < d; j++) {
        double t = x[i * d + j] - centre[j];
        s += t * t;
      }
      return s;
    }
  }

  /** log w_c + log N(x_i; m_c, Σ_c) for every component, into {@code out}. */
  private static void componentLogDensities(double[] x, int i, int d, double[][] means, double[][] inv,
      double[] logNorm, double[] centred, double[] out) {
    for (int c = 0; c < means.length; c++) {
      double[] m = means[c];
      for (int j = 0; j < d; j++) {
        centred[j] = x[i * d + j] - m[j];
      }
      double[] li = inv[c];
      double q = 0;
      for (int a = 0; a < d; a++) {
        double s = 0;
        int base = a * d;
        for (int b = 0; b <= a; b++) {
          s += li[base + b] * centred[b];
        }
        q += s * s;
      }
      out[c] = logNorm[c] - 0.5 * q;
    }
  }

  /** log w_c − ½ (d log 2π + log det Σ_c) per component. */
  private static double[] logNormalisers(double[] weights, double[][] tril, int d) {
    double[] out = new double[weights.length];
    for (int c = 0; c < weights.length; c++) {
      double logDet = 0;
      for (int i = 0; i < d; i++) {
        logDet += 2 * Math.log(tril[c][i * d + i]);
      }
      out[c] = Math.log(weights[c]) - 0.5 * (d * LOG_2PI + logDet);
    }
    return out;
  }

  private static double logSumExp(double[] v) {
    double max = Double.NEGATIVE_INFINITY;
    for (double a : v) {
      max = Math.max(max, a);
    }
    double s = 0;
    for (double a : v) {
      s += Math.exp(a - max);
    }
    return max + Math.log(s);
  }

  /** Lower-triangular Cholesky factor of a symmetric positive definite row-major d×d matrix. */
  static double[] cholesky(double[] a, int d) {
    double[] l = new double[d * d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j <= i; j++) {
        double s = a[i * d + j];
        for (int p = 0; p < j; p++) {
          s -= l[i * d + p] * l[j * d + p];
        }
        if (i == j) {
          if (!(s > 0)) {
            throw new IllegalStateException("latent mixture: a covariance is not positive definite (pivot " + s
                + " at " + i + ")");
          }
          l[i * d + i] = Math.sqrt(s);
        } else {
          l[i * d + j] = s / l[j * d + j];
        }
      }
    }
    return l;
  }

  /** The inverses of lower-triangular factors (themselves lower triangular). */
  private static double[][] inverses(double[][] tril, int d) {
    double[][] out = new double[tril.length][];
    for (int c = 0; c < tril.length; c++) {
      double[] l = tril[c];
      double[] inv = new double[d * d];
      for (int col = 0; col < d; col++) {
        // forward substitution of L y = e_col
        for (int i = col; i < d; i++) {
          double s = i == col ? 1 : 0;
          for (int p = col; p < i; p++) {
            s -= l[i * d + p] * inv[p * d + col];
          }
          inv[i * d + col] = s / l[i * d + i];
        }
      }
      out[c] = inv;
    }
    return out;
  }

  private static double[] identity(int d) {
    double[] out = new double[d * d];
    for (int i = 0; i < d; i++) {
      out[i * d + i] = 1;
    }
    return out;
  }

  private static double[][] deepCopy(double[][] a) {
    double[][] out = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].clone();
    }
    return out;
  }
}
