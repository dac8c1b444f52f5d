package io.sparkvae.model.layers;

import java.util.Objects;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Graph-vertex configuration of the VAE reparameterisation z = μ + exp(0.5·clamp(log σ²))·ε over one [N, 2L]
 * input laid out as [μ | log σ²].
 *
 * <p>ε ~ N(0, I) is drawn fresh on every forward pass, in training and in inference. Setting {@link #getNoiseSeed()
 * noiseSeed} switches to <em>frozen noise</em>: the noise generator is reset to that seed before every forward pass,
 * so the same input shape always gets the same ε (needed by gradient checks and for deterministic reconstructions).
 * {@code null} (the default) means fresh noise. The vertex has no parameters.
 */
public class ReparameterizationVertex extends GraphVertex {

    private static final long serialVersionUID = 1L;

    /** Default lower clamp of log σ². */
    public static final double DEFAULT_LOG_VAR_MIN = -30.0;
    /** Default upper clamp of log σ². */
    public static final double DEFAULT_LOG_VAR_MAX = 20.0;

    @JsonProperty("logVarMin")
    private double logVarMin = DEFAULT_LOG_VAR_MIN;
    @JsonProperty("logVarMax")
    private double logVarMax = DEFAULT_LOG_VAR_MAX;
    @JsonProperty("noiseSeed")
    private Long noiseSeed;

    /** For Jackson: default clamp, fresh noise. */
    public ReparameterizationVertex() {
    }

    /** A vertex clamping log σ² to [logVarMin, logVarMax], with fresh noise. */
    public ReparameterizationVertex(double logVarMin, double logVarMax) {
        this(logVarMin, logVarMax, null);
    }

    /** A vertex clamping log σ² to [logVarMin, logVarMax]; noiseSeed non-null freezes the noise (see class doc). */
    public ReparameterizationVertex(double logVarMin, double logVarMax, Long noiseSeed) {
        if (!(logVarMin < logVarMax)) {
            throw new IllegalArgumentException("logVarMin must be < logVarMax, got " + logVarMin + " >= " + logVarMax);
        }
        this.logVarMin = logVarMin;
        this.logVarMax = logVarMax;
        this.noiseSeed = noiseSeed;
    }

    public double getLogVarMin() {
        return logVarMin;
    }

    public double getLogVarMax() {
        return logVarMax;
    }

    /** The frozen-noise seed, or null when ε is drawn fresh on every forward pass. */
    public Long getNoiseSeed() {
        return noiseSeed;
    }

    /** Freezes the noise to the given seed (non-null) or returns to fresh noise (null); affects new instances only. */
    public void setNoiseSeed(Long noiseSeed) {
        this.noiseSeed = noiseSeed;
    }

    @Override
    public ReparameterizationVertex clone() {
        return new ReparameterizationVertex(logVarMin, logVarMax, noiseSeed);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ReparameterizationVertex)) {
            return false;
        }
        ReparameterizationVertex v = (ReparameterizationVertex) o;
        return Double.compare(logVarMin, v.logVarMin) == 0 && Double.compare(logVarMax, v.logVarMax) == 0
                && Objects.equals(noiseSeed, v.noiseSeed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ReparameterizationVertex.class.getSimpleName(), logVarMin, logVarMax, noiseSeed);
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        return new ReparameterizationVertexImpl(graph, name, idx, networkDatatype, logVarMin, logVarMax, noiseSeed);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != 1 || vertexInputs[0].getType() != InputType.Type.FF) {
            throw new InvalidInputTypeException("ReparameterizationVertex needs one feed-forward input [N, 2L], got "
                    + java.util.Arrays.toString(vertexInputs));
        }
        long size = ((InputType.InputTypeFeedForward) vertexInputs[0]).getSize();
        if (size % 2 != 0) {
            throw new InvalidInputTypeException("ReparameterizationVertex input size must be even (2L), got " + size);
        }
        return InputType.feedForward(size / 2);
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        return new LayerMemoryReport.Builder(null, ReparameterizationVertex.class, inputTypes[0], out)
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }

    @Override
    public String toString() {
        return "ReparameterizationVertex(logVarMin=" + logVarMin + ", logVarMax=" + logVarMax + ", noiseSeed="
                + noiseSeed + ")";
    }
}
