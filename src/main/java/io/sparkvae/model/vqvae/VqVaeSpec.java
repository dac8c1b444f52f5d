package io.sparkvae.model.vqvae;

import io.sparkvae.model.ImageSpec;
import java.io.Serializable;

/**
 * Immutable description of a VQ-VAE (van den Oord et al. 2017): image shape, widths, codebook and its update
 * rule. Serializable so it travels to executors and is stored inside the model zip.
 *
 * @param height           image height; divisible by 2^downsamplings
 * @param width            image width; divisible by 2^downsamplings
 * @param channels         image channels (3 for RGB)
 * @param hiddenChannels   channels of the stride-2 convolutions and residual stacks
 * @param residualChannels channels inside a residual block's 3x3 convolution
 * @param embeddingDim     D, the size of a codebook vector
 * @param codebookSize     K, the number of codebook vectors
 * @param downsamplings    stride-2 4x4 convolutions in the encoder (the decoder mirrors them)
 * @param commitmentBeta   weight of the commitment loss
 * @param ema              codebook updated by exponential moving averages (else by gradient)
 * @param emaDecay         γ of the EMA
 * @param emaEpsilon       Laplace smoothing ε of the EMA cluster sizes
 * @param gaussianSigma    σ of the Gaussian reconstruction likelihood
 * @param learningRate     Adam learning rate
 * @param seed             weight-initialisation seed
 */
public record VqVaeSpec(int height, int width, int channels, int hiddenChannels, int residualChannels,
        int embeddingDim, int codebookSize, int downsamplings, double commitmentBeta, boolean ema,
        double emaDecay, double emaEpsilon, double gaussianSigma, double learningRate, long seed)
        implements Serializable, ImageSpec {

    /** Residual blocks in the encoder's and in the decoder's stack, as in the paper. */
    public static final int RESIDUAL_BLOCKS = 2;

    /** Validates every field; throws IllegalArgumentException naming the offending one. */
    public VqVaeSpec {
        require(height > 0 && width > 0 && channels > 0,
                "height, width and channels must be > 0, got " + height + "x" + width + "x" + channels);
        require(downsamplings >= 1 && downsamplings <= 4, "downsamplings must be in [1, 4], got " + downsamplings);
        int factor = 1 << downsamplings;
        require(height % factor == 0 && width % factor == 0, "height and width must be divisible by 2^"
                + downsamplings + " = " + factor + ", got " + height + "x" + width);
        require(hiddenChannels >= 2 && residualChannels > 0 && embeddingDim > 0,
                "hiddenChannels (>= 2), residualChannels and embeddingDim must be positive");
        require(codebookSize >= 2, "codebookSize must be >= 2, got " + codebookSize);
        require(commitmentBeta >= 0, "commitmentBeta must be >= 0, got " + commitmentBeta);
        require(emaDecay >= 0 && emaDecay < 1, "emaDecay must be in [0, 1), got " + emaDecay);
        require(emaEpsilon > 0, "emaEpsilon must be > 0, got " + emaEpsilon);
        require(gaussianSigma > 0, "gaussianSigma must be > 0, got " + gaussianSigma);
        require(learningRate > 0, "learningRate must be > 0, got " + learningRate);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid VqVaeSpec: " + message);
        }
    }

    /** Height of the code grid. */
    public int codeHeight() {
        return height >> downsamplings;
    }

    /** Width of the code grid. */
    public int codeWidth() {
        return width >> downsamplings;
    }

    /** Pixels times channels of one image. */
    public int dimensions() {
        return height * width * channels;
    }
}
