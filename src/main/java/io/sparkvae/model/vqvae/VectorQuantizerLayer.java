package io.sparkvae.model.vqvae;

import static io.sparkvae.model.vqvae.VectorQuantizerParamInitializer.CODEBOOK;
import static io.sparkvae.model.vqvae.VectorQuantizerParamInitializer.EMA_COUNT;
import static io.sparkvae.model.vqvae.VectorQuantizerParamInitializer.EMA_SUM;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.segment.UnsortedSegmentSum;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The implementation of {@link VectorQuantizer}: nearest-code quantisation of z_e [N, D, h, w] with a straight-through
 * gradient, the VQ-VAE codebook and commitment losses, optional EMA codebook updates, and the codebook maintenance
 * the training driver needs (initialisation from encoder outputs, dead-code restarts, re-derivation after parameter
 * averaging).
 *
 * <h2>Forward</h2>
 * Every position's D-vector z is replaced by the codebook row e_k with the smallest ||z − e_k||². The distances come
 * from one gemm: ||z||² − 2 z·Eᵀ + ||e||²; the ||z||² term is the same for every k of a row, so it is left out of the
 * argmin (adding it cannot change the minimiser but would add rounding). Ties go to the lower index. The chosen indices
 * of the last forward pass (training or inference) stay available as {@link #getLastCodes()} for perplexity, code
 * usage and the encode job; they are plain Java memory, so they outlive DL4J's workspaces and {@code clear()}.
 *
 * <h2>Loss</h2>
 * The codebook loss ||sg(z_e) − e||² and the commitment loss β·||z_e − sg(e)||², summed over positions and D and
 * averaged over the minibatch (a per-example sum, like the project's reconstruction losses). With EMA on the codebook
 * loss is dropped: EMA replaces it (van den Oord et al., appendix A.1), so only β·commitment is added. The loss is
 * computed in every forward pass and added to the network's score through {@link #calcRegularizationScore(boolean)}:
 * in DL4J M2.1 {@code ComputationGraph.computeGradientAndScore()} and {@code score(DataSet, training)} both call
 * {@code ComputationGraph.calcRegularizationScore(true)} — the sum over all layers of the layer's
 * {@code calcRegularizationScore} — after the forward pass, and hand that sum to the first output layer's
 * {@code computeScore(fullNetRegTerm, ...)}, which adds it to its loss once (the term is zeroed for later output
 * layers). So a non-output layer's extra loss reaches the score exactly once, from the same forward pass. (Note that
 * {@code scoreExamples(..., true)} adds the minibatch's term to every example.)
 *
 * <h2>Backward (straight-through)</h2>
 * The gradient to z_e is the decoder's gradient w.r.t. z_q, unchanged, plus the commitment gradient 2β(z_e − z_q). The
 * codebook gradient (EMA off) is Σ over the positions assigned to k of 2(e_k − z_e). Both are per-minibatch sums, as
 * DL4J's loss gradients are: DL4J's updater divides all gradients by the minibatch size N, which turns them into the
 * gradients of the per-example-mean loss. With EMA on the codebook gradient is zero.
 *
 * <h2>EMA</h2>
 * Done in {@link #backpropGradient}, which DL4J calls only to compute gradients (fitting, or an explicit
 * {@code computeGradientAndScore}/{@code calculateGradients}), never for inference or scoring — so evaluation passes
 * do not move the codebook. With n_k positions and sum s_k of the z_e assigned to k in the minibatch:
 * N_k ← γN_k + (1−γ)n_k; m_k ← γm_k + (1−γ)s_k; N_k' = (N_k + ε)/(n + Kε)·n with n = Σ N_k; e_k = m_k / N_k'.
 * The statistics come from this pass's assignments, made with the codebook before the update; the decoder's gradient
 * was computed with that codebook too.
 */
public class VectorQuantizerLayer extends BaseLayer<VectorQuantizer> {

    /** Codes of the last forward pass, flattened in (n, y, x) order, and their grid shape [N, h, w]. */
    private int[] lastCodes;
    private long[] lastCodesShape;
    /** The input array the codes were computed from: the backward pass re-uses them only for that very input. */
    private INDArray codesInput;
    /** Σ ||z_e − z_q||² / N of the last forward pass. */
    private double lastDistortion;
    private boolean retainEncoderOutputs;
    private INDArray lastEncoderOutputs;

    public VectorQuantizerLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    // ---------------------------------------------------------------- forward / backward

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        INDArray zE = checkedInput();
        long n = zE.size(0);
        long h = zE.size(2);
        long w = zE.size(3);
        INDArray codebook = getParam(CODEBOOK);
        INDArray rows = rowsOf(zE);
        int[] codes = nearestCodes(rows, codebook);
        INDArray zqRows = Nd4j.pullRows(codebook, 1, codes, 'c');

        lastCodes = codes;
        lastCodesShape = new long[] {n, h, w};
        codesInput = input;
        lastDistortion = rows.squaredDistance(zqRows) / n;
        if (retainEncoderOutputs) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                lastEncoderOutputs = rows.dup();
            }
        }

        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, zE.shape(), 'c');
        out.assign(toNchw(zqRows, n, h, w));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        INDArray zE = checkedInput();
        long n = zE.size(0);
        long h = zE.size(2);
        long w = zE.size(3);
        VectorQuantizer c = layerConf();
        INDArray codebook = getParam(CODEBOOK);
        INDArray rows = rowsOf(zE);
        int[] codes = codesInput == input && lastCodes != null && lastCodes.length == rows.size(0) ? lastCodes
                : nearestCodes(rows, codebook);
        INDArray zqRows = Nd4j.pullRows(codebook, 1, codes, 'c');

        // straight-through: the decoder's gradient w.r.t. z_q goes to z_e as it is, plus the commitment gradient
        INDArray epsOut = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, zE.shape(), 'c');
        epsOut.assign(epsilon);
        if (c.getBeta() != 0) {
            epsOut.addi(toNchw(rows.sub(zqRows).muli(2 * c.getBeta()), n, h, w));
        }

        Gradient gradient = new DefaultGradient();
        INDArray codebookGrad = gradientViews.get(CODEBOOK);
        INDArray sums = segmentSums(rows, codes, c.getNumCodes());
        INDArray counts = Nd4j.createFromArray(CodeUsage.counts(codes, c.getNumCodes())).castTo(dataType);
        if (c.isEma()) {
            codebookGrad.assign(0);
            gradient.setGradientFor(CODEBOOK, codebookGrad);
            for (String key : new String[] {EMA_COUNT, EMA_SUM}) {
                INDArray g = gradientViews.get(key);
                g.assign(0);
                gradient.setGradientFor(key, g);
            }
            emaUpdate(counts, sums);
        } else {
            // Σ_{assigned to k} 2(e_k − z_e) = 2(n_k e_k − s_k)
            codebookGrad.assign(codebook.mulColumnVector(counts.reshape(counts.length(), 1)).subi(sums).muli(2));
            gradient.setGradientFor(CODEBOOK, codebookGrad);
        }
        return new Pair<>(gradient, epsOut);
    }

    /** The EMA step from this pass's counts n_k [K] and sums s_k [K, D], then the codebook re-derived. */
    private void emaUpdate(INDArray counts, INDArray sums) {
        double gamma = layerConf().getEmaDecay();
        INDArray emaCount = getParam(EMA_COUNT);
        INDArray emaSum = getParam(EMA_SUM);
        emaCount.muli(gamma).addi(counts.reshape(emaCount.shape()).muli(1 - gamma));
        emaSum.muli(gamma).addi(sums.muli(1 - gamma));
        rederiveCodebook();
    }

    /**
     * The VQ loss of the last forward pass (codebook loss, unless EMA is on, plus β·commitment, per example) added to
     * the L1/L2 terms of the codebook; DL4J adds this to the network's score (see the class comment).
     */
    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return super.calcRegularizationScore(backpropParamsOnly) + getLastVqLoss();
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
        // no weight noise
    }

    /** Forgets the input reference; the last codes, loss and encoder outputs stay for the training driver. */
    @Override
    public void clear() {
        super.clear();
        codesInput = null;
    }

    private INDArray checkedInput() {
        long d = layerConf().getCodeDim();
        if (input.rank() != 4 || input.size(1) != d) {
            throw new DL4JInvalidInputException("VectorQuantizer '" + layerConf().getLayerName()
                    + "' expects NCHW input [batch, " + d + ", height, width], got " + Arrays.toString(input.shape())
                    + " " + layerId());
        }
        if (maskArray != null) {
            throw new UnsupportedOperationException("VectorQuantizer '" + layerConf().getLayerName()
                    + "' does not support mask arrays");
        }
        return input.castTo(dataType);
    }

    // ---------------------------------------------------------------- state for the training driver

    /** The codes of the last forward pass as an INT32 array [N, h, w] (a new, detached array), or null before one. */
    public INDArray getLastCodes() {
        if (lastCodes == null) {
            return null;
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return Nd4j.createFromArray(lastCodes.clone()).reshape(lastCodesShape);
        }
    }

    /** The codes of the last forward pass flattened in (n, y, x) order (a copy), or null before one. */
    public int[] getLastCodeIndices() {
        return lastCodes == null ? null : lastCodes.clone();
    }

    /** Σ ||z_e − z_q||² over positions and D, averaged over the last forward pass's minibatch. */
    public double getLastDistortion() {
        return lastDistortion;
    }

    /** The VQ loss of the last forward pass: (EMA ? 0 : 1)·distortion + β·distortion. */
    public double getLastVqLoss() {
        VectorQuantizer c = layerConf();
        return (c.isEma() ? 0 : lastDistortion) + c.getBeta() * lastDistortion;
    }

    /**
     * Whether forward passes keep a detached copy of z_e as rows [N·h·w, D] (off by default: it costs a copy per
     * pass). The training driver turns it on to fill the buffer of recent encoder outputs used by
     * {@link #restartDeadCodes}.
     */
    public void setRetainEncoderOutputs(boolean retain) {
        this.retainEncoderOutputs = retain;
        if (!retain) {
            lastEncoderOutputs = null;
        }
    }

    /** z_e of the last forward pass as rows [N·h·w, D] (detached) if retained, else null. */
    public INDArray getLastEncoderOutputs() {
        return lastEncoderOutputs;
    }

    public int getNumCodes() {
        return layerConf().getNumCodes();
    }

    public long getCodeDim() {
        return layerConf().getCodeDim();
    }

    /** The codebook [K, D] (a view of the network's parameters). */
    public INDArray getCodebook() {
        return getParam(CODEBOOK);
    }

    // ---------------------------------------------------------------- codebook maintenance

    /**
     * Sets the codebook from encoder outputs [M, D] (rows of z_e, e.g. from {@link #rowsOf}) and, with EMA on, the EMA
     * state to match (m_k = e_k, N_k = 1). With M ≥ K the codes are K distinct rows chosen at random; with M < K rows
     * are drawn with replacement and Gaussian noise of 1% of the rows' standard deviation is added so that no two codes
     * coincide. Deterministic for a given seed.
     */
    public void initCodebook(INDArray encoderOutputs, long seed) {
        INDArray data = checkedRows(encoderOutputs);
        int k = getNumCodes();
        long m = data.size(0);
        Random random = new Random(seed);
        int[] rows = sampleRows(m, k, random);
        INDArray chosen = Nd4j.pullRows(data, 1, rows, 'c');
        if (m < k) {
            double std = data.stdNumber().doubleValue();
            double scale = 0.01 * (std > 0 ? std : 1.0);
            double[] noise = new double[(int) chosen.length()];
            for (int i = 0; i < noise.length; i++) {
                noise[i] = scale * random.nextGaussian();
            }
            chosen.addi(Nd4j.create(noise, chosen.shape(), 'c').castTo(chosen.dataType()));
        }
        getParam(CODEBOOK).assign(chosen);
        if (layerConf().isEma()) {
            getParam(EMA_SUM).assign(chosen);
            getParam(EMA_COUNT).assign(1.0);
        }
    }

    /**
     * Re-derives the codebook from the EMA statistics: e_k = m_k / N_k' with the Laplace-smoothed
     * N_k' = (N_k + ε)/(n + Kε)·n, n = Σ N_k. Call after parameter averaging (see {@link VectorQuantizer}). No-op with
     * EMA off.
     */
    public void rederiveCodebook() {
        VectorQuantizer c = layerConf();
        if (!c.isEma()) {
            return;
        }
        INDArray emaCount = getParam(EMA_COUNT);
        int k = c.getNumCodes();
        double eps = c.getEmaEpsilon();
        double total = emaCount.sumNumber().doubleValue();
        INDArray smoothed = emaCount.add(eps).divi(total + k * eps).muli(total).reshape(k, 1);
        getParam(CODEBOOK).assign(getParam(EMA_SUM).divColumnVector(smoothed));
    }

    /** {@link #rederiveCodebook()} for every EMA quantiser of the graph; returns how many there were. */
    public static int rederiveCodebooks(ComputationGraph graph) {
        int done = 0;
        for (VectorQuantizerLayer layer : layersOf(graph)) {
            if (layer.layerConf().isEma()) {
                layer.rederiveCodebook();
                done++;
            }
        }
        return done;
    }

    /**
     * Dead-code restart: every code k with {@code usage[k] < threshold} (usage counted over an epoch, e.g. with
     * {@link CodeUsage#add}) is set to a random row of {@code buffer} [M, D] (recent encoder outputs), distinct rows
     * while there are enough, and with EMA on its statistics are reset to N_k = 1, m_k = that row. Other codes are left
     * untouched. Deterministic for a given seed; returns the number of restarted codes.
     *
     * <p>With EMA off the updater state (e.g. Adam's moments) of a restarted row is not reset; it decays within a few
     * hundred steps.
     */
    public static int restartDeadCodes(VectorQuantizerLayer layer, long[] usage, long threshold, INDArray buffer,
            long seed) {
        int k = layer.getNumCodes();
        if (usage.length != k) {
            throw new IllegalArgumentException("usage has " + usage.length + " counts for " + k + " codes");
        }
        List<Integer> dead = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            if (usage[i] < threshold) {
                dead.add(i);
            }
        }
        if (dead.isEmpty()) {
            return 0;
        }
        INDArray data = layer.checkedRows(buffer);
        int[] rows = sampleRows(data.size(0), dead.size(), new Random(seed));
        INDArray codebook = layer.getParam(CODEBOOK);
        boolean ema = layer.layerConf().isEma();
        for (int i = 0; i < rows.length; i++) {
            int code = dead.get(i);
            INDArray row = data.getRow(rows[i]);
            codebook.getRow(code).assign(row);
            if (ema) {
                layer.getParam(EMA_SUM).getRow(code).assign(row);
                layer.getParam(EMA_COUNT).putScalar(0, code, 1.0);
            }
        }
        return dead.size();
    }

    /** {@code count} row indices in [0, m): distinct (a seeded partial shuffle) when m ≥ count, else drawn i.i.d. */
    private static int[] sampleRows(long m, int count, Random random) {
        if (m < 1) {
            throw new IllegalArgumentException("no encoder outputs to sample codes from");
        }
        if (m > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many encoder outputs: " + m);
        }
        int[] out = new int[count];
        if (m >= count) {
            int[] perm = new int[(int) m];
            for (int i = 0; i < perm.length; i++) {
                perm[i] = i;
            }
            for (int i = 0; i < count; i++) {
                int j = i + random.nextInt(perm.length - i);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
                out[i] = perm[i];
            }
        } else {
            for (int i = 0; i < count; i++) {
                out[i] = random.nextInt((int) m);
            }
        }
        return out;
    }

    private INDArray checkedRows(INDArray rows) {
        if (rows.rank() != 2 || rows.size(1) != getCodeDim()) {
            throw new IllegalArgumentException("expected encoder outputs [M, " + getCodeDim() + "], got "
                    + Arrays.toString(rows.shape()));
        }
        return rows.castTo(dataType);
    }

    // ---------------------------------------------------------------- static helpers

    /** The quantisers of a graph, in the graph's layer order. */
    public static List<VectorQuantizerLayer> layersOf(ComputationGraph graph) {
        List<VectorQuantizerLayer> out = new ArrayList<>();
        for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
            if (layer instanceof VectorQuantizerLayer) {
                out.add((VectorQuantizerLayer) layer);
            }
        }
        return out;
    }

    /** The quantiser named {@code name} in the graph. */
    public static VectorQuantizerLayer of(ComputationGraph graph, String name) {
        org.deeplearning4j.nn.api.Layer layer = graph.getLayer(name);
        if (!(layer instanceof VectorQuantizerLayer)) {
            throw new IllegalArgumentException("layer '" + name + "' is not a VectorQuantizer: " + layer);
        }
        return (VectorQuantizerLayer) layer;
    }

    /**
     * Nearest codes of z_e [N, D, h, w] (NCHW) for a codebook [K, D], without a graph (the encode job): INT32
     * [N, h, w]. The same computation as the layer's forward pass.
     */
    public static INDArray quantize(INDArray zE, INDArray codebook) {
        if (zE.rank() != 4 || codebook.rank() != 2 || zE.size(1) != codebook.size(1)) {
            throw new IllegalArgumentException("expected z_e [N, D, h, w] and codebook [K, D], got "
                    + Arrays.toString(zE.shape()) + " and " + Arrays.toString(codebook.shape()));
        }
        INDArray book = codebook.castTo(zE.dataType());
        int[] codes = nearestCodes(rowsOf(zE), book);
        return Nd4j.createFromArray(codes).reshape(zE.size(0), zE.size(2), zE.size(3));
    }

    /**
     * The codebook rows for a grid of codes [N, h, w] as latents [N, D, h, w] (what the decoder of a VQ-VAE reads):
     * for decoding code grids sampled from a prior.
     */
    public static INDArray lookup(INDArray codes, INDArray codebook) {
        if (codes.rank() != 3 || codebook.rank() != 2) {
            throw new IllegalArgumentException("expected codes [N, h, w] and codebook [K, D], got "
                    + Arrays.toString(codes.shape()) + " and " + Arrays.toString(codebook.shape()));
        }
        int[] flat = codes.reshape(codes.length()).toIntVector();
        for (int code : flat) {
            if (code < 0 || code >= codebook.size(0)) {
                throw new IllegalArgumentException("code " + code + " out of range [0, " + codebook.size(0) + ")");
            }
        }
        return toNchw(Nd4j.pullRows(codebook, 1, flat, 'c'), codes.size(0), codes.size(1), codes.size(2)).dup('c');
    }

    /**
     * Index of the nearest codebook row (squared Euclidean distance) for each row of {@code rows} [M, D]: argmin over
     * k of ||e_k||² − 2 z·e_k, one gemm for all rows.
     */
    public static int[] nearestCodes(INDArray rows, INDArray codebook) {
        INDArray codeNorms = codebook.mul(codebook).sum(1);
        // −2 applied to the [K, D] codebook rather than to the [M, K] product: one pass less over the big array
        INDArray scores = rows.mmul(codebook.mul(-2).transpose()).addiRowVector(codeNorms);
        return Nd4j.argMin(scores, 1).reshape(rows.size(0)).toIntVector();
    }

    /** z_e [N, D, h, w] (NCHW) as rows [N·h·w, D] in (n, y, x) order (a new 'c'-order array). */
    public static INDArray rowsOf(INDArray zE) {
        if (zE.rank() != 4) {
            throw new IllegalArgumentException("expected [N, D, h, w], got " + Arrays.toString(zE.shape()));
        }
        long m = zE.size(0) * zE.size(2) * zE.size(3);
        return zE.permute(0, 2, 3, 1).dup('c').reshape('c', m, zE.size(1));
    }

    /** Rows [N·h·w, D] in (n, y, x) order back to [N, D, h, w] (a permuted view). */
    private static INDArray toNchw(INDArray rows, long n, long h, long w) {
        return rows.reshape('c', n, h, w, rows.size(1)).permute(0, 3, 1, 2);
    }

    /** Per-code sums of the rows [M, D] assigned to each code: [K, D], zero rows for unused codes. */
    private static INDArray segmentSums(INDArray rows, int[] codes, int numCodes) {
        INDArray ids = Nd4j.createFromArray(codes);
        return Nd4j.exec(new UnsortedSegmentSum(rows, ids, numCodes))[0];
    }
}
