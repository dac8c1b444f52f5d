package io.sparkvae.model.vae;

import io.sparkvae.model.ImageSpec;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * Immutable description of a convolutional VAE: image shape, encoder widths, latent size, likelihood and training
 * hyper-parameters. Serializable so it can travel to executors and be stored inside the model zip.
 *
 * @param height          image height; divisible by 2^encoderChannels.length
 * @param width           image width; divisible by 2^encoderChannels.length
 * @param channels        image channels (3 for RGB)
 * @param encoderChannels output channels of the stride-2 encoder convolutions, e.g. {32, 64, 128}
 * @param latentDim       size L of z
 * @param likelihood      reconstruction likelihood
 * @param gaussianSigma   fixed σ of the Gaussian likelihood (> 0; unused for BERNOULLI)
 * @param beta            KL weight β (≥ 0)
 * @param logVarMin       lower clamp of log σ²
 * @param logVarMax       upper clamp of log σ² (> logVarMin)
 * @param learningRate    Adam learning rate (> 0)
 * @param seed            weight-initialisation seed
 */
public record VaeSpec(int height, int width, int channels, int[] encoderChannels, int latentDim,
        Likelihood likelihood, double gaussianSigma, double beta, double logVarMin, double logVarMax,
        double learningRate, long seed) implements Serializable, ImageSpec {

    /** Validates every field; throws IllegalArgumentException naming the offending one. */
    public VaeSpec {
        require(height > 0 && width > 0 && channels > 0,
                "height, width and channels must be > 0, got " + height + "x" + width + "x" + channels);
        require(encoderChannels != null && encoderChannels.length > 0, "encoderChannels must not be empty");
        encoderChannels = encoderChannels.clone();
        for (int c : encoderChannels) {
            require(c > 0, "encoderChannels must all be > 0, got " + Arrays.toString(encoderChannels));
        }
        require(encoderChannels.length < 31, "too many encoder layers: " + encoderChannels.length);
        int factor = 1 << encoderChannels.length;
        require(height % factor == 0 && width % factor == 0, "height and width must be divisible by 2^"
                + encoderChannels.length + " = " + factor + " (one halving per encoder layer), got "
                + height + "x" + width);
        require(latentDim > 0, "latentDim must be > 0, got " + latentDim);
        require(likelihood != null, "likelihood must not be null");
        require(gaussianSigma > 0 && Double.isFinite(gaussianSigma),
                "gaussianSigma must be finite and > 0, got " + gaussianSigma);
        require(beta >= 0 && Double.isFinite(beta), "beta must be finite and >= 0, got " + beta);
        require(Double.isFinite(logVarMin) && Double.isFinite(logVarMax) && logVarMin < logVarMax,
                "logVarMin must be < logVarMax (both finite), got " + logVarMin + ", " + logVarMax);
        require(learningRate > 0 && Double.isFinite(learningRate),
                "learningRate must be finite and > 0, got " + learningRate);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid VaeSpec: " + message);
        }
    }

    /** A copy of the encoder widths. */
    @Override
    public int[] encoderChannels() {
        return encoderChannels.clone();
    }

    /** Number of stride-2 encoder (and decoder) layers. */
    public int depth() {
        return encoderChannels.length;
    }

    /** Height of the encoder's last feature map: height / 2^depth. */
    public int bottleneckHeight() {
        return height >> depth();
    }

    /** Width of the encoder's last feature map: width / 2^depth. */
    public int bottleneckWidth() {
        return width >> depth();
    }

    /** Channels of the encoder's last feature map. */
    public int bottleneckChannels() {
        return encoderChannels[encoderChannels.length - 1];
    }

    /** Number of data dimensions D = height·width·channels. */
    public long dataDims() {
        return (long) height * width * channels;
    }

    /** This spec with another β. */
    public VaeSpec withBeta(double newBeta) {
        return new VaeSpec(height, width, channels, encoderChannels, latentDim, likelihood, gaussianSigma, newBeta,
                logVarMin, logVarMax, learningRate, seed);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof VaeSpec)) {
            return false;
        }
        VaeSpec s = (VaeSpec) o;
        return height == s.height && width == s.width && channels == s.channels
                && Arrays.equals(encoderChannels, s.encoderChannels) && latentDim == s.latentDim
                && likelihood == s.likelihood && Double.compare(gaussianSigma, s.gaussianSigma) == 0
                && Double.compare(beta, s.beta) == 0 && Double.compare(logVarMin, s.logVarMin) == 0
                && Double.compare(logVarMax, s.logVarMax) == 0 && Double.compare(learningRate, s.learningRate) == 0
                && seed == s.seed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(height, width, channels, Arrays.hashCode(encoderChannels), latentDim, likelihood,
                gaussianSigma, beta, logVarMin, logVarMax, learningRate, seed);
    }

    @Override
    public String toString() {
        return "VaeSpec[height=" + height + ", width=" + width + ", channels=" + channels + ", encoderChannels="
                + Arrays.toString(encoderChannels) + ", latentDim=" + latentDim + ", likelihood=" + likelihood
                + ", gaussianSigma=" + gaussianSigma + ", beta=" + beta + ", logVarMin=" + logVarMin
                + ", logVarMax=" + logVarMax + ", learningRate=" + learningRate + ", seed=" + seed + "]";
    }
}
