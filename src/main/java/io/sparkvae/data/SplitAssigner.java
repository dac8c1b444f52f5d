package io.sparkvae.data;

import java.io.Serializable;

/** Assigns an index to train / val / test from a hash of (seed, index), so any executor agrees. */
public record SplitAssigner(long seed, double valFraction, double testFraction) implements Serializable {
  public static final String TRAIN = "train";
  public static final String VAL = "val";
  public static final String TEST = "test";

  public String splitOf(long index) {
    double u = (mix64(seed ^ 0x5bd1e995L, index) >>> 11) * 0x1.0p-53;
    if (u < valFraction) {
      return VAL;
    }
    return u < valFraction + testFraction ? TEST : TRAIN;
  }

  /** SplitMix64-style mixing of two longs into a well-spread 64-bit value. */
  public static long mix64(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
