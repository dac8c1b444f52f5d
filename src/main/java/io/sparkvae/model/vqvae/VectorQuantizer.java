package io.sparkvae.model.vqvae;

import io.sparkvae.model.layers.LayerSetup;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Configuration of the vector-quantisation layer of a VQ-VAE (van den Oord et al. 2017): it sits between the
 * encoder's last 1×1 convolution (z_e, [N, D, h, w], NCHW) and the decoder, replaces every position's D-vector by its
 * nearest row of a codebook [K, D] (z_q) and passes the decoder's gradient straight through to the encoder. The
 * implementation is {@link VectorQuantizerLayer}; the loss it adds to the network's score and its gradients are
 * described there.
 *
 * <h2>Parameters</h2>
 * {@code codebook} [K, D] is trained by gradient (the codebook loss) when EMA is off. With EMA on, the layer also holds
 * {@code emaCount} [1, K] (N_k) and {@code emaSum} [K, D] (m_k), and sets all three itself in every backward pass
 * (codebook = m_k / smoothed N_k); their gradient is always zero and their updater is {@link NoOp}, as DL4J's
 * BatchNormalization does for its running mean and variance. A zero gradient alone already leaves a parameter exactly
 * unchanged under Adam (m and v stay 0, so the step is 0/(0+ε)·lr = 0 — checked in the tests), but NoOp also keeps
 * them out of any weight decay and saves Adam's state for them. They carry no L1/L2 regularisation either.
 *
 * <h2>Under dl4j-spark parameter averaging</h2>
 * The EMA state is stored as parameters precisely so that parameter averaging averages it with everything else:
 * <ul>
 * <li>N_k and m_k are linear in the per-step statistics. When all workers start a round from the same state and each
 * does T steps, the average over workers of γ^T·N + Σ_t γ^(T−t)(1−γ)·n_(w,t) is the same recurrence run on the
 * per-step statistics averaged over workers: averaging counts and sums is exact (the same holds for m_k).</li>
 * <li>The codebook is not linear in them: the average of the workers' m_k / N_k is not (average m_k) / (average
 * N_k). After averaging, the codebook must be re-derived from the averaged statistics:
 * {@link VectorQuantizerLayer#rederiveCodebooks(org.deeplearning4j.nn.graph.ComputationGraph)}, which the training
 * driver calls after each {@code fit(rdd)} (each averaging round it can reach) and before saving. Inside one
 * {@code fit(rdd)} dl4j-spark averages without a hook: the first minibatch of each later round then quantises with the
 * averaged codebook, and its backward pass re-derives the codebook from the averaged statistics, so the mismatch lasts
 * one minibatch per round.</li>
 * <li>What stays approximate: within a round every worker assigns codes with its own drifting encoder and codebook, so
 * the averaged statistics are not those a single process would have gathered on the union of the minibatches; workers
 * that run different numbers of steps in a round weight their statistics with different powers of γ; and the Laplace
 * smoothing (a nonlinear step) is applied to the averaged counts, not averaged.</li>
 * <li>With EMA off, the codebook is an ordinary weight and is averaged like one.</li>
 * </ul>
 *
 * <h2>Configuration</h2>
 * K ({@code numCodes}, required), D ({@code codeDim}, taken from the input type's channels when not set), β (commitment
 * weight, default 0.25), EMA on/off (default off), decay γ (default 0.99) and Laplace ε (default 1e-5). The codebook is
 * initialised from the layer's weight init, by default uniform in [−1/K, 1/K] as in the reference implementations;
 * in practice the training driver re-initialises it from encoder outputs
 * ({@link VectorQuantizerLayer#initCodebook(INDArray, long)}). The activation function, dropout and masks are not
 * used.
 */
public class VectorQuantizer extends BaseLayer {

    private static final long serialVersionUID = 1L;

    public static final double DEFAULT_BETA = 0.25;
    public static final double DEFAULT_EMA_DECAY = 0.99;
    public static final double DEFAULT_EMA_EPSILON = 1e-5;

    @JsonProperty("numCodes")
    private int numCodes;
    @JsonProperty("codeDim")
    private long codeDim;
    @JsonProperty("beta")
    private double beta = DEFAULT_BETA;
    @JsonProperty("ema")
    private boolean ema;
    @JsonProperty("emaDecay")
    private double emaDecay = DEFAULT_EMA_DECAY;
    @JsonProperty("emaEpsilon")
    private double emaEpsilon = DEFAULT_EMA_EPSILON;

    /** For Jackson. */
    public VectorQuantizer() {
    }

    private VectorQuantizer(Builder builder) {
        super(builder);
        this.numCodes = builder.numCodes;
        this.codeDim = builder.codeDim;
        this.beta = builder.beta;
        this.ema = builder.ema;
        this.emaDecay = builder.emaDecay;
        this.emaEpsilon = builder.emaEpsilon;
    }

    /** K, the number of codebook rows. */
    public int getNumCodes() {
        return numCodes;
    }

    /** D, the length of a code (the input's channels); 0 until set from the input type. */
    public long getCodeDim() {
        return codeDim;
    }

    /** β, the weight of the commitment loss. */
    public double getBeta() {
        return beta;
    }

    /** Whether the codebook follows exponential moving averages instead of its gradient. */
    public boolean isEma() {
        return ema;
    }

    /** γ, the EMA decay. */
    public double getEmaDecay() {
        return emaDecay;
    }

    /** ε of the Laplace smoothing of the EMA counts. */
    public double getEmaEpsilon() {
        return emaEpsilon;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        if (codeDim <= 0) {
            throw new IllegalStateException("VectorQuantizer '" + getLayerName()
                    + "': code dimension D not set (give it to the builder or set the graph's input types)");
        }
        return LayerSetup.attach(new VectorQuantizerLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView,
                initializeParams, initializer());
    }

    @Override
    public ParamInitializer initializer() {
        return VectorQuantizerParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional in = convolutional(inputType);
        if (codeDim > 0 && in.getChannels() != codeDim) {
            throw new IllegalArgumentException("VectorQuantizer '" + getLayerName() + "': input has "
                    + in.getChannels() + " channels, codes have D = " + codeDim);
        }
        return inputType;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (codeDim <= 0 || override) {
            codeDim = convolutional(inputType).getChannels();
        }
    }

    private InputType.InputTypeConvolutional convolutional(InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeConvolutional)) {
            throw new IllegalArgumentException("VectorQuantizer '" + getLayerName()
                    + "' expects convolutional NCHW input [N, D, h, w], got " + inputType);
        }
        InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) inputType;
        if (in.getFormat() != org.deeplearning4j.nn.conf.CNN2DFormat.NCHW) {
            throw new IllegalArgumentException("VectorQuantizer '" + getLayerName() + "' supports NCHW only, got "
                    + in.getFormat());
        }
        return in;
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreProcessorForInputTypeCnnLayers(inputType, getLayerName());
    }

    /** The layer's L1/L2/weight decay for the codebook when it is trained by gradient; nothing otherwise. */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return initializer().isWeightParam(this, paramName) ? regularization : null;
    }

    /** NoOp for the parameters the layer sets itself (EMA state, and the codebook under EMA). */
    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return initializer().isWeightParam(this, paramName) ? super.getUpdaterByParam(paramName) : new NoOp();
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType.InputTypeConvolutional in = convolutional(inputType);
        long positions = in.getHeight() * in.getWidth();
        long nParams = initializer().numParams(this);
        long updaterState = ema ? 0 : getIUpdater() == null ? 0 : getIUpdater().stateSize(numCodes * codeDim);
        // per example: the [h·w, K] distance matrix and the [h·w, D] rows and their quantised copies
        return new LayerMemoryReport.Builder(getLayerName(), VectorQuantizer.class, inputType, inputType)
                .standardMemory(nParams, updaterState)
                .workingMemory(0, positions * (numCodes + 2 * codeDim), 0, 2 * positions * codeDim)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    @Override
    public VectorQuantizer clone() {
        return (VectorQuantizer) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof VectorQuantizer) || !super.equals(o)) {
            return false;
        }
        VectorQuantizer v = (VectorQuantizer) o;
        return numCodes == v.numCodes && codeDim == v.codeDim && Double.compare(beta, v.beta) == 0 && ema == v.ema
                && Double.compare(emaDecay, v.emaDecay) == 0 && Double.compare(emaEpsilon, v.emaEpsilon) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), numCodes, codeDim, beta, ema, emaDecay, emaEpsilon);
    }

    @Override
    public String toString() {
        return "VectorQuantizer(name=" + getLayerName() + ", K=" + numCodes + ", D=" + codeDim + ", beta=" + beta
                + ", ema=" + ema + (ema ? ", decay=" + emaDecay + ", epsilon=" + emaEpsilon : "") + ")";
    }

    /** Builder of a {@link VectorQuantizer}: {@code new VectorQuantizer.Builder(K).beta(0.25).ema(true).build()}. */
    public static class Builder extends BaseLayer.Builder<Builder> {

        private final int numCodes;
        private long codeDim;
        private double beta = DEFAULT_BETA;
        private boolean ema;
        private double emaDecay = DEFAULT_EMA_DECAY;
        private double emaEpsilon = DEFAULT_EMA_EPSILON;

        /** A quantiser with {@code numCodes} (K ≥ 1) codes. */
        public Builder(int numCodes) {
            if (numCodes < 1) {
                throw new IllegalArgumentException("VectorQuantizer needs at least one code, got K = " + numCodes);
            }
            this.numCodes = numCodes;
        }

        /** D, the code length; optional when the graph's input types are set (taken from the input's channels). */
        public Builder codeDim(long codeDim) {
            if (codeDim < 1) {
                throw new IllegalArgumentException("code dimension must be >= 1, got " + codeDim);
            }
            this.codeDim = codeDim;
            return this;
        }

        /** β, the commitment weight (finite, ≥ 0; default 0.25). */
        public Builder beta(double beta) {
            if (!(beta >= 0) || Double.isInfinite(beta)) {
                throw new IllegalArgumentException("commitment weight beta must be finite and >= 0, got " + beta);
            }
            this.beta = beta;
            return this;
        }

        /** EMA codebook updates on or off (default off). */
        public Builder ema(boolean ema) {
            this.ema = ema;
            return this;
        }

        /** γ in (0, 1] (default 0.99); 1 freezes the statistics. */
        public Builder emaDecay(double emaDecay) {
            if (!(emaDecay > 0 && emaDecay <= 1)) {
                throw new IllegalArgumentException("EMA decay must be in (0, 1], got " + emaDecay);
            }
            this.emaDecay = emaDecay;
            return this;
        }

        /** Laplace ε ≥ 0 (default 1e-5). */
        public Builder emaEpsilon(double emaEpsilon) {
            if (!(emaEpsilon >= 0) || Double.isInfinite(emaEpsilon)) {
                throw new IllegalArgumentException("EMA epsilon must be finite and >= 0, got " + emaEpsilon);
            }
            this.emaEpsilon = emaEpsilon;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public VectorQuantizer build() {
            if (iDropout != null) {
                throw new IllegalArgumentException("VectorQuantizer '" + layerName + "' does not support dropout");
            }
            if (weightInitFn == null) {
                weightInitFn = new WeightInitDistribution(new UniformDistribution(-1.0 / numCodes, 1.0 / numCodes));
            }
            return new VectorQuantizer(this);
        }
    }
}
