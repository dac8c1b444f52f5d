package io.sparkvae.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Runtime implementation of {@link ReparameterizationVertex}: z = μ + exp(0.5·clamp(lv))·ε with hand-written backprop.
 *
 * <p>Backward: dμ = dz and dlv = dz·ε·0.5·σ, zero where the clamp is active (lv outside [min, max]). ε is kept
 * from forward to backward outside every workspace.
 */
public class ReparameterizationVertexImpl extends BaseGraphVertex {

    private static final long serialVersionUID = 1L;

    private final double logVarMin;
    private final double logVarMax;
    private Long noiseSeed;
    private transient Random seededRng;
    private transient INDArray noise;

    /** Creates the vertex; see {@link ReparameterizationVertex} for the meaning of the arguments. */
    public ReparameterizationVertexImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType,
            double logVarMin, double logVarMax, Long noiseSeed) {
        super(graph, name, vertexIndex, null, null, dataType);
        this.logVarMin = logVarMin;
        this.logVarMax = logVarMax;
        this.noiseSeed = noiseSeed;
    }

    /** Freezes the noise to a seed (non-null) or returns to fresh noise on every forward pass (null). */
    public void setNoiseSeed(Long noiseSeed) {
        this.noiseSeed = noiseSeed;
    }

    /** The frozen-noise seed, or null. */
    public Long getNoiseSeed() {
        return noiseSeed;
    }

    /** The ε of the last forward pass [N, L] (outside workspaces), or null before the first one. */
    public INDArray getLastNoise() {
        return noise;
    }

    @Override
    public boolean hasLayer() {
        return false;
    }

    @Override
    public Layer getLayer() {
        return null;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("Cannot do forward pass: input not set (vertex " + vertexName + ")");
        }
        INDArray in = inputs[0];
        long n = in.size(0);
        long latent = latentDim(in);
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            noise = drawNoise(in.dataType(), n, latent);
        }
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
            INDArray mu = in.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent));
            INDArray sigma = halfStd(in.get(NDArrayIndex.all(), NDArrayIndex.interval(latent, 2 * latent)));
            return sigma.muli(noise).addi(mu);
        }
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException("Cannot do backward pass: epsilon not set (vertex " + vertexName + ")");
        }
        if (noise == null) {
            throw new IllegalStateException("Backward pass before forward pass (vertex " + vertexName + ")");
        }
        INDArray in = inputs[0];
        long latent = latentDim(in);
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
            INDArray grad = Nd4j.createUninitialized(in.dataType(), in.shape(), 'c');
            grad.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent)).assign(epsilon);
            INDArray lv = in.get(NDArrayIndex.all(), NDArrayIndex.interval(latent, 2 * latent));
            INDArray inRange = lv.gte(logVarMin).castTo(in.dataType()).muli(lv.lte(logVarMax).castTo(in.dataType()));
            INDArray dLv = halfStd(lv).muli(noise).muli(epsilon).muli(0.5).muli(inRange);
            grad.get(NDArrayIndex.all(), NDArrayIndex.interval(latent, 2 * latent)).assign(dLv);
            return new Pair<>(null, new INDArray[] {grad});
        }
    }

    /** exp(0.5·clamp(lv)) as a new array in the current scope. */
    private INDArray halfStd(INDArray logVar) {
        INDArray c = Transforms.max(logVar, logVarMin, true);
        c = Transforms.min(c, logVarMax, false);
        return Transforms.exp(c.muli(0.5), false);
    }

    private INDArray drawNoise(DataType dt, long n, long latent) {
        INDArray eps = Nd4j.createUninitialized(dt, n, latent);
        if (noiseSeed == null) {
            return Nd4j.randn(eps, Nd4j.getRandom());
        }
        if (seededRng == null) {
            seededRng = Nd4j.getRandomFactory().getNewRandomInstance(noiseSeed);
        }
        seededRng.setSeed(noiseSeed);
        return Nd4j.randn(eps, seededRng);
    }

    private long latentDim(INDArray in) {
        if (in.rank() != 2 || in.size(1) % 2 != 0) {
            throw new IllegalArgumentException("Vertex " + vertexName + " expects input [N, 2L], got "
                    + java.util.Arrays.toString(in.shape()));
        }
        return in.size(1) / 2;
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        if (backpropGradientsViewArray != null) {
            throw new IllegalStateException("ReparameterizationVertex has no parameters (vertex " + vertexName + ")");
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
            int minibatchSize) {
        if (maskArrays == null || maskArrays.length == 0) {
            return null;
        }
        return new Pair<>(maskArrays[0], currentMaskState);
    }

    @Override
    public String toString() {
        return "ReparameterizationVertexImpl(name=\"" + vertexName + "\", logVarMin=" + logVarMin + ", logVarMax="
                + logVarMax + ", noiseSeed=" + noiseSeed + ")";
    }
}
