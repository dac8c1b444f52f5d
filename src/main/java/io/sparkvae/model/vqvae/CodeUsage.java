package io.sparkvae.model.vqvae;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Code-usage statistics of a VQ-VAE codebook, reported per epoch: the perplexity exp(−Σ p_k log p_k) of the usage
 * distribution (K when all K codes are used equally, 1 when one code takes everything) and the fraction of codes used.
 * Counts are accumulated from {@link VectorQuantizerLayer#getLastCodeIndices()} after each minibatch.
 */
public final class CodeUsage {

    private CodeUsage() {
    }

    /** How often each of {@code numCodes} codes occurs in {@code codes}. */
    public static long[] counts(int[] codes, int numCodes) {
        long[] counts = new long[numCodes];
        add(counts, codes);
        return counts;
    }

    /** Adds the occurrences of each code in {@code codes} to {@code counts} (length K); returns {@code counts}. */
    public static long[] add(long[] counts, int[] codes) {
        for (int code : codes) {
            if (code < 0 || code >= counts.length) {
                throw new IllegalArgumentException("code " + code + " out of range [0, " + counts.length + ")");
            }
            counts[code]++;
        }
        return counts;
    }

    /** {@link #add(long[], int[])} for a grid of codes such as {@link VectorQuantizerLayer#quantize}'s [N, h, w]. */
    public static long[] add(long[] counts, INDArray codes) {
        return add(counts, codes.reshape(codes.length()).toIntVector());
    }

    /** The entropy −Σ p_k ln p_k in nats, with p_k = counts[k] / Σ counts; needs at least one count. */
    public static double entropy(long[] counts) {
        double total = total(counts);
        double entropy = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = c / total;
                entropy -= p * Math.log(p);
            }
        }
        return entropy;
    }

    /** exp(entropy): K when all K codes are used equally, 1 when one code takes everything. */
    public static double perplexity(long[] counts) {
        return Math.exp(entropy(counts));
    }

    /** The element-wise sum of two count vectors of the same length, as a new array. */
    public static long[] plus(long[] a, long[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("count vectors of " + a.length + " and " + b.length + " codes");
        }
        long[] out = a.clone();
        for (int k = 0; k < out.length; k++) {
            out[k] += b[k];
        }
        return out;
    }

    /** The fraction of codes with a count > 0. */
    public static double fractionUsed(long[] counts) {
        if (counts.length == 0) {
            throw new IllegalArgumentException("no codes");
        }
        int used = 0;
        for (long c : counts) {
            if (c > 0) {
                used++;
            }
        }
        return (double) used / counts.length;
    }

    private static double total(long[] counts) {
        double total = 0;
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("negative count " + c);
            }
            total += c;
        }
        if (total == 0) {
            throw new IllegalArgumentException("perplexity of an empty usage count");
        }
        return total;
    }
}
