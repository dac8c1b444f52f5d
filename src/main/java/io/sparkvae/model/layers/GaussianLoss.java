package io.sparkvae.model.layers;

import java.util.Objects;
import org.nd4j.common.base.Preconditions;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossUtil;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Loss function for the negative log-likelihood of a Gaussian with fixed σ, without its constant term.
 *
 * <p>Per row: Σ (y − ŷ)² / (2σ²). The full NLL adds {@link #logNormalizer(long, double)} = 0.5·D·ln(2πσ²) for
 * D dimensions. In a {@code CnnLossLayer} the rows are pixels (the C channels of one location), and the layer sums
 * all rows and divides by N, so the reported score is the per-image sum over every pixel and channel.
 */
public class GaussianLoss implements ILossFunction {

    private static final long serialVersionUID = 1L;

    @JsonProperty("sigma")
    private double sigma = 1.0;

    /** For Jackson: σ = 1. */
    public GaussianLoss() {
    }

    /** Gaussian reconstruction loss with fixed standard deviation sigma (> 0). */
    public GaussianLoss(double sigma) {
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("Gaussian sigma must be finite and > 0, got " + sigma);
        }
        this.sigma = sigma;
    }

    public double getSigma() {
        return sigma;
    }

    /** The constant term 0.5·D·ln(2πσ²) of the Gaussian NLL for D dimensions (add it to the score for nats). */
    public static double logNormalizer(long dims, double sigma) {
        return 0.5 * dims * Math.log(2 * Math.PI * sigma * sigma);
    }

    private INDArray scoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Preconditions.checkArgument(labels.equalShapes(preOutput),
                "Labels and preOutput must have equal shapes: got %s vs %s", labels.shape(), preOutput.shape());
        INDArray out = activationFn.getActivation(preOutput.dup(), true);
        INDArray diff = out.rsubi(labels.castTo(out.dataType()));
        INDArray score = diff.muli(diff).muli(1.0 / (2 * sigma * sigma));
        if (mask != null) {
            LossUtil.applyMask(score, mask);
        }
        return score;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            boolean average) {
        INDArray s = scoreArray(labels, preOutput, activationFn, mask);
        double score = s.sumNumber().doubleValue();
        return average ? score / s.size(0) : score;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return scoreArray(labels, preOutput, activationFn, mask).sum(true, 1);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Preconditions.checkArgument(labels.equalShapes(preOutput),
                "Labels and preOutput must have equal shapes: got %s vs %s", labels.shape(), preOutput.shape());
        INDArray out = activationFn.getActivation(preOutput.dup(), true);
        INDArray dLda = out.subi(labels.castTo(out.dataType())).muli(1.0 / (sigma * sigma));
        return LossGradients.throughActivation(dLda, preOutput, activationFn, mask);
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
            IActivation activationFn, INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return toString();
    }

    @Override
    public String toString() {
        return "GaussianLoss(sigma=" + sigma + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GaussianLoss && Double.compare(sigma, ((GaussianLoss) o).sigma) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(GaussianLoss.class.getSimpleName(), sigma);
    }
}
