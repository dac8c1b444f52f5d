package io.sparkvae.model.prior;

import java.io.Serializable;

/**
 * Immutable description of a PixelCNN prior over VQ-VAE code grids: the codebook size, the grid, the network's
 * width and depth, and its training hyper-parameters. Serializable so it can travel to executors and be stored
 * inside the model zip beside the graph.
 *
 * @param numCodes        K, the codebook size: codes are 0 ≤ c &lt; K (≥ 2)
 * @param height          h, rows of the code grid (8 for CIFAR-10, 16 for CelebA)
 * @param width           w, columns of the code grid
 * @param hiddenChannels  F, channels of the embedding, the masked convolutions and the output head
 * @param residualBlocks  R, type-B residual blocks (≥ 5). The 7×7 type-A layer sees 3 rows up and each 3×3 block
 *                        one more, so R ≥ 5 lets the last row of an 8×8 grid see the first (minus the PixelCNN's
 *                        blind spot up and to the right)
 * @param learningRate    Adam learning rate (&gt; 0)
 * @param seed            weight-initialisation seed
 */
public record PixelCnnSpec(int numCodes, int height, int width, int hiddenChannels, int residualBlocks,
        double learningRate, long seed) implements Serializable {

    /** Default F. */
    public static final int DEFAULT_HIDDEN_CHANNELS = 64;
    /** Default (and minimum) R. */
    public static final int DEFAULT_RESIDUAL_BLOCKS = 5;
    /** Default Adam learning rate. */
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    /** Default seed. */
    public static final long DEFAULT_SEED = 42L;

    /** Validates every field; throws IllegalArgumentException naming the offending one. */
    public PixelCnnSpec {
        require(numCodes >= 2, "numCodes must be >= 2, got " + numCodes);
        require(height > 0 && width > 0, "height and width must be > 0, got " + height + "x" + width);
        require(hiddenChannels > 0, "hiddenChannels must be > 0, got " + hiddenChannels);
        require(residualBlocks >= DEFAULT_RESIDUAL_BLOCKS,
                "residualBlocks must be >= " + DEFAULT_RESIDUAL_BLOCKS + ", got " + residualBlocks);
        require(learningRate > 0 && Double.isFinite(learningRate),
                "learningRate must be finite and > 0, got " + learningRate);
    }

    /** K codes on an h × w grid with the default width, depth, learning rate and seed. */
    public static PixelCnnSpec of(int numCodes, int height, int width) {
        return new PixelCnnSpec(numCodes, height, width, DEFAULT_HIDDEN_CHANNELS, DEFAULT_RESIDUAL_BLOCKS,
                DEFAULT_LEARNING_RATE, DEFAULT_SEED);
    }

    /** Codes per grid, h·w. */
    public int positions() {
        return height * width;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid PixelCnnSpec: " + message);
        }
    }
}
