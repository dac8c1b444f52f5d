package io.sparkvae.model.layers;

import java.util.Objects;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossUtil;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Loss function for the KL divergence KL(N(μ, σ²) ‖ N(0, I)) over an output laid out as [μ | log σ²] (labels ignored).
 *
 * <p>Per example: weight · 0.5·Σ(μ² + e^lv − 1 − lv), with lv clamped to [logVarMin, logVarMax] as in
 * {@link ReparameterizationVertex} (gradient zero where the clamp is active). {@code weight} is β times the KL
 * warm-up factor; it is mutable so the trainer can anneal it, and it is part of the JSON configuration.
 * Use it on a {@code LossLayer} with IDENTITY activation; labels must have the output's shape (zeros are fine).
 */
public class KlDivergenceLoss implements ILossFunction {

    private static final long serialVersionUID = 1L;

    @JsonProperty("weight")
    private double weight = 1.0;
    @JsonProperty("logVarMin")
    private double logVarMin = ReparameterizationVertex.DEFAULT_LOG_VAR_MIN;
    @JsonProperty("logVarMax")
    private double logVarMax = ReparameterizationVertex.DEFAULT_LOG_VAR_MAX;

    /** For Jackson: weight 1, default clamp. */
    public KlDivergenceLoss() {
    }

    /** KL loss with the given weight and the default clamp. */
    public KlDivergenceLoss(double weight) {
        this(weight, ReparameterizationVertex.DEFAULT_LOG_VAR_MIN, ReparameterizationVertex.DEFAULT_LOG_VAR_MAX);
    }

    /** KL loss with the given weight and log σ² clamp. */
    public KlDivergenceLoss(double weight, double logVarMin, double logVarMax) {
        if (!(logVarMin < logVarMax)) {
            throw new IllegalArgumentException("logVarMin must be < logVarMax, got " + logVarMin + " >= " + logVarMax);
        }
        setWeight(weight);
        this.logVarMin = logVarMin;
        this.logVarMax = logVarMax;
    }

    /** The current weight (β × warm-up factor). */
    public double getWeight() {
        return weight;
    }

    /** Sets the weight (β × warm-up factor); must be finite and ≥ 0. */
    public void setWeight(double weight) {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("KL weight must be finite and >= 0, got " + weight);
        }
        this.weight = weight;
    }

    public double getLogVarMin() {
        return logVarMin;
    }

    public double getLogVarMax() {
        return logVarMax;
    }

    /** Per-element weighted KL contributions [N, 2L] (mask applied). */
    private INDArray scoreArray(INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray out = activationFn.getActivation(preOutput.dup(), true);
        long latent = latentDim(out);
        INDArray mu = out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent));
        INDArray lv = clamp(out.get(NDArrayIndex.all(), NDArrayIndex.interval(latent, 2 * latent)));
        INDArray score = out.ulike();
        score.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent)).assign(mu.mul(mu));
        score.get(NDArrayIndex.all(), NDArrayIndex.interval(latent, 2 * latent))
                .assign(Transforms.exp(lv, true).subi(1.0).subi(lv));
        score.muli(0.5 * weight);
        if (mask != null) {
            LossUtil.applyMask(score, mask);
        }
        return score;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            boolean average) {
        INDArray s = scoreArray(preOutput, activationFn, mask);
        double score = s.sumNumber().doubleValue();
        return average ? score / s.size(0) : score;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return scoreArray(preOutput, activationFn, mask).sum(true, 1);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray out = activationFn.getActivation(preOutput.dup(), true);
        long latent = latentDim(out);
        DataType dt = out.dataType();
        INDArray dLda = out.ulike();
        dLda.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent))
                .assign(out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent)));
        INDArray rawLv = out.get(NDArrayIndex.all(), NDArrayIndex.interval(latent, 2 * latent));
        INDArray inRange = rawLv.gte(logVarMin).castTo(dt).muli(rawLv.lte(logVarMax).castTo(dt));
        dLda.get(NDArrayIndex.all(), NDArrayIndex.interval(latent, 2 * latent))
                .assign(Transforms.exp(clamp(rawLv), false).subi(1.0).muli(0.5).muli(inRange));
        dLda.muli(weight);
        return LossGradients.throughActivation(dLda, preOutput, activationFn, mask);
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
            IActivation activationFn, INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    private INDArray clamp(INDArray lv) {
        return Transforms.min(Transforms.max(lv, logVarMin, true), logVarMax, false);
    }

    private static long latentDim(INDArray out) {
        if (out.rank() != 2 || out.size(1) % 2 != 0) {
            throw new IllegalArgumentException("KlDivergenceLoss expects [N, 2L] = [mu | logvar], got "
                    + java.util.Arrays.toString(out.shape()));
        }
        return out.size(1) / 2;
    }

    @Override
    public String name() {
        return toString();
    }

    @Override
    public String toString() {
        return "KlDivergenceLoss(weight=" + weight + ", logVarMin=" + logVarMin + ", logVarMax=" + logVarMax + ")";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof KlDivergenceLoss)) {
            return false;
        }
        KlDivergenceLoss k = (KlDivergenceLoss) o;
        return Double.compare(weight, k.weight) == 0 && Double.compare(logVarMin, k.logVarMin) == 0
                && Double.compare(logVarMax, k.logVarMax) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(KlDivergenceLoss.class.getSimpleName(), weight, logVarMin, logVarMax);
    }
}
