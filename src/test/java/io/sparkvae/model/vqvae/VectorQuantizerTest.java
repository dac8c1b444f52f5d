package io.sparkvae.model.vqvae;

import static io.sparkvae.model.vqvae.VqGraphs.minAssignmentMargin;
import static io.sparkvae.model.vqvae.VqGraphs.uniform;
import static io.sparkvae.model.vqvae.VqGraphs.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.layers.DoublePrecision;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import io.sparkvae.model.layers.GaussianLoss;

/**
 * Forward pass, loss, straight-through backward pass, gradient checks and EMA update of {@link VectorQuantizer}.
 *
 * <h2>How the gradient checks are designed</h2>
 * A VQ layer's analytic gradients are by design not the derivatives of the score DL4J computes: (1) the
 * straight-through estimator hands the decoder's gradient w.r.t. z_q to z_e although z_q is piecewise constant in
 * z_e; (2) the stop gradients make ||sg(z_e) − e||² count only for the codebook and β||z_e − sg(e)||² only for z_e,
 * while a finite difference of the score sees both terms move with both arguments; (3) the reconstruction loss
 * depends on the codebook through z_q, but VQ-VAE gives the codebook no reconstruction gradient. So each check picks
 * a setting in which the analytic gradient of the checked parameters is the true derivative of the score, and
 * excludes the others:
 * <ul>
 * <li>(a) codebook and decoder, β = 0, EMA off, decoder weights 0 (so the score does not depend on z_q through the
 * decoder, removing (3), and β = 0 removes the commitment term's dependence on e, (2)); the encoder is excluded (1).
 * The decoder's weight gradient is still non-zero (its input is z_q), so the check also sees that the decoder reads the
 * chosen codebook rows.</li>
 * <li>(a') decoder only, with real (non-zero) decoder weights and β = 0.25: no VQ term depends on the decoder, so its
 * gradient is exact whatever the VQ layer does; the encoder and codebook are excluded.</li>
 * <li>(b) commitment path with DL4J's tool: EMA on (the score then holds only β||z_e − sg(e)||², no codebook loss)
 * and decoder weights 0 (the straight-through term is zero), so the encoder's gradient — 2β(z_e − z_q) through the
 * layer below — is the true derivative of the score. The EMA update made by the one backward pass is undone before
 * every scoring (GradientCheckUtil's callEachIter), and the VQ parameters are excluded.</li>
 * <li>(c) straight-through, by hand: with a real decoder the encoder's gradient is checked against finite
 * differences of the surrogate S(θ) = R(z_e(θ) + sg(z_q − z_e)) + β||z_e(θ) − sg(z_q)||², whose derivative is by
 * definition what the straight-through estimator computes. R is DL4J's own decoder + loss (a second graph with the same
 * decoder weights); GradientCheckUtil cannot express the stop-gradients.</li>
 * </ul>
 * Every check first asserts that the nearest and second-nearest codes are far apart compared with the perturbation
 * (epsilon 1e-6), so no assignment flips during the finite differences.
 */
class VectorQuantizerTest {

    private static final double EPS = 1e-6;
    private static final double MAX_REL_ERROR = 1e-5;
    private static final double MIN_ABS_ERROR = 1e-9;

    // ------------------------------------------------------------------ forward

    @Test
    void nearestCodesMatchBruteForce() {
        INDArray rows = uniform(DataType.FLOAT, 1, 300, 8);
        INDArray codebook = uniform(DataType.FLOAT, 2, 24, 8);
        int[] codes = VectorQuantizerLayer.nearestCodes(rows, codebook);
        double[][] z = rows.toDoubleMatrix();
        double[][] e = codebook.toDoubleMatrix();
        for (int m = 0; m < z.length; m++) {
            int best = -1;
            double bestDist = Double.POSITIVE_INFINITY;
            for (int k = 0; k < e.length; k++) {
                double dist = 0;
                for (int j = 0; j < z[m].length; j++) {
                    dist += (z[m][j] - e[k][j]) * (z[m][j] - e[k][j]);
                }
                if (dist < bestDist) {
                    bestDist = dist;
                    best = k;
                }
            }
            assertEquals(best, codes[m], "row " + m);
        }
    }

    @Test
    void forwardOutputsTheChosenRowsKeepsTheCodesAndAddsTheLossToTheScore() {
        double beta = 0.3;
        ComputationGraph g = VqGraphs.vqOnly(DataType.FLOAT, new NoOp(), 4, 3, 5,
                new VectorQuantizer.Builder(7).beta(beta).build());
        VectorQuantizerLayer vq = VectorQuantizerLayer.of(g, "vq");
        vq.getCodebook().assign(uniform(DataType.FLOAT, 3, 7, 4));
        INDArray zE = uniform(DataType.FLOAT, 4, 2, 4, 3, 5);
        INDArray labels = uniform(DataType.FLOAT, 5, 2, 4, 3, 5);

        double score = g.score(new DataSet(zE, labels), true);
        INDArray codes = vq.getLastCodes();
        assertArrayEquals(new long[] {2, 3, 5}, codes.shape());
        assertEquals(codes, VectorQuantizerLayer.quantize(zE, vq.getCodebook()));
        INDArray zq = g.outputSingle(zE);
        assertEquals(VectorQuantizerLayer.lookup(codes, vq.getCodebook()), zq);

        // the per-example sum of ||z_e − z_q||², by hand
        double distortion = 0;
        for (int n = 0; n < 2; n++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 5; x++) {
                    INDArray e = vq.getCodebook().getRow(codes.getInt(n, y, x));
                    for (int d = 0; d < 4; d++) {
                        double diff = zE.getDouble(n, d, y, x) - e.getDouble(d);
                        distortion += diff * diff;
                    }
                }
            }
        }
        distortion /= 2;
        assertEquals(distortion, vq.getLastDistortion(), 1e-5);
        assertEquals((1 + beta) * distortion, vq.getLastVqLoss(), 1e-5);
        // score = the output layer's loss (Gaussian, σ = 1: Σ (z_q − y)² / 2 per example) + the VQ loss, added once
        double reconstruction = 0.5 * zq.squaredDistance(labels) / 2;
        assertEquals(reconstruction + (1 + beta) * distortion, score, 1e-4);
    }

    // ------------------------------------------------------------------ backward

    @Test
    void straightThroughHandsTheDecoderGradientToTheEncoderUnchangedWhenBetaIsZero() {
        ComputationGraph g = VqGraphs.vqOnly(DataType.FLOAT, new NoOp(), 3, 2, 2,
                new VectorQuantizer.Builder(5).beta(0).build());
        VectorQuantizerLayer vq = VectorQuantizerLayer.of(g, "vq");
        INDArray zE = uniform(DataType.FLOAT, 6, 3, 3, 2, 2);
        INDArray epsilon = uniform(DataType.FLOAT, 7, 3, 3, 2, 2);
        g.initGradientsView();
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        vq.setInput(zE, mgr);
        vq.activate(true, mgr);
        Pair<Gradient, INDArray> result = vq.backpropGradient(epsilon, mgr);
        assertArrayEquals(values(epsilon), values(result.getSecond()), 0.0);
    }

    @Test
    void commitmentAddsTwoBetaTimesZeMinusZq() {
        double beta = 0.25;
        ComputationGraph g = VqGraphs.vqOnly(DataType.DOUBLE, new NoOp(), 3, 2, 2,
                new VectorQuantizer.Builder(5).beta(beta).build());
        VectorQuantizerLayer vq = VectorQuantizerLayer.of(g, "vq");
        INDArray zE = uniform(DataType.DOUBLE, 6, 3, 3, 2, 2);
        INDArray epsilon = uniform(DataType.DOUBLE, 7, 3, 3, 2, 2);
        g.initGradientsView();
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        vq.setInput(zE, mgr);
        INDArray zq = vq.activate(true, mgr).dup();
        INDArray epsOut = vq.backpropGradient(epsilon, mgr).getSecond();
        INDArray expected = epsilon.add(zE.sub(zq).muli(2 * beta));
        assertArrayEquals(values(expected), values(epsOut), 1e-12);
    }

    // ------------------------------------------------------------------ gradient checks (see the class comment)

    @Test
    void gradientCheckCodebookAndDecoder() {
        try (DoublePrecision ignored = new DoublePrecision()) {
            ComputationGraph g = VqGraphs.encoderVqDecoder(DataType.DOUBLE, new NoOp(), 3,
                    new VectorQuantizer.Builder(5).beta(0).build(), true);
            INDArray in = prepare(g, 11);
            assertTrue(check(g, in, Set.of("enc_W", "enc_b"), null), "codebook/decoder gradient check");
        }
    }

    @Test
    void gradientCheckDecoderBehindTheQuantiser() {
        try (DoublePrecision ignored = new DoublePrecision()) {
            ComputationGraph g = VqGraphs.encoderVqDecoder(DataType.DOUBLE, new NoOp(), 3,
                    new VectorQuantizer.Builder(5).beta(0.25).build(), false);
            INDArray in = prepare(g, 12);
            assertTrue(check(g, in, Set.of("enc_W", "enc_b", "vq_codebook"), null), "decoder gradient check");
        }
    }

    @Test
    void gradientCheckCommitmentPathThroughTheEncoder() {
        try (DoublePrecision ignored = new DoublePrecision()) {
            ComputationGraph g = VqGraphs.encoderVqDecoder(DataType.DOUBLE, new NoOp(), 3,
                    new VectorQuantizer.Builder(5).beta(0.25).ema(true).emaDecay(0.5).build(), true);
            INDArray in = prepare(g, 13);
            VectorQuantizerLayer vq = VectorQuantizerLayer.of(g, "vq");
            INDArray vqParams = vq.params().dup();
            // undo the EMA update of the backward pass before every scoring; the VQ parameters are not checked
            boolean ok = check(g, in, Set.of("vq_codebook", "vq_emaCount", "vq_emaSum"),
                    net -> vq.params().assign(vqParams));
            assertTrue(ok, "commitment gradient check");
            assertTrue(vq.getLastVqLoss() > 0);
        }
    }

    @Test
    void straightThroughGradientMatchesFiniteDifferencesOfTheSurrogate() {
        try (DoublePrecision ignored = new DoublePrecision()) {
            double beta = 0.25;
            ComputationGraph g = VqGraphs.encoderVqDecoder(DataType.DOUBLE, new NoOp(), 3,
                    new VectorQuantizer.Builder(5).beta(beta).build(), false);
            INDArray in = prepare(g, 14);
            INDArray labels = labels(g, in);
            long n = in.size(0);

            // analytic: DL4J's gradient, divided by the minibatch size as DL4J's updater does
            g.setInputs(in);
            g.setLabels(labels);
            g.computeGradientAndScore();
            INDArray analytic = g.gradient().gradient().dup().divi(n);

            Map<String, INDArray> acts = g.feedForward(in, false);
            INDArray zE0 = acts.get("enc").dup();
            INDArray zQ0 = acts.get("vq").dup();
            INDArray shift = zQ0.sub(zE0); // sg(z_q − z_e)
            ComputationGraph decoder = decoderOf(g, (int) zE0.size(1));

            Map<String, long[]> ranges = paramRanges(g);
            INDArray params = g.params();
            int checked = 0;
            for (String key : new String[] {"enc_W", "enc_b"}) {
                long[] r = ranges.get(key);
                for (long i = r[0]; i < r[1]; i++) {
                    double orig = params.getDouble(i);
                    params.putScalar(i, orig + EPS);
                    double plus = surrogate(g, decoder, in, labels, shift, zQ0, beta);
                    params.putScalar(i, orig - EPS);
                    double minus = surrogate(g, decoder, in, labels, shift, zQ0, beta);
                    params.putScalar(i, orig);
                    double numeric = (plus - minus) / (2 * EPS);
                    double exact = analytic.getDouble(i);
                    double abs = Math.abs(numeric - exact);
                    double rel = abs / (Math.abs(numeric) + Math.abs(exact));
                    assertTrue(abs < MIN_ABS_ERROR || rel < MAX_REL_ERROR,
                            key + "[" + (i - r[0]) + "]: analytic " + exact + ", numeric " + numeric);
                    checked++;
                }
            }
            assertEquals(3 * 2 + 3, checked);
        }
    }

    /** S = R(z_e + sg(z_q − z_e)) + β Σ ||z_e − sg(z_q)||² / N, with R the decoder graph's score. */
    private static double surrogate(ComputationGraph g, ComputationGraph decoder, INDArray in, INDArray labels,
            INDArray shift, INDArray zQ0, double beta) {
        INDArray zE = g.feedForward(in, false).get("enc");
        double reconstruction = decoder.score(new DataSet(zE.add(shift), labels), true);
        return reconstruction + beta * zE.squaredDistance(zQ0) / in.size(0);
    }

    /** in → "dec" → "out" with the decoder of {@code g} (same weights): R(z) as DL4J computes it. */
    private static ComputationGraph decoderOf(ComputationGraph g, int d) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .updater(new NoOp()).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(VqGraphs.SIZE, VqGraphs.SIZE, d))
                .addLayer("dec", new ConvolutionLayer.Builder(1, 1).nOut(VqGraphs.CHANNELS)
                        .activation(Activation.TANH).build(), "in")
                .addLayer("out", new CnnLossLayer.Builder(new GaussianLoss(1.0)).activation(Activation.IDENTITY)
                        .build(), "dec")
                .setOutputs("out").build();
        ComputationGraph dec = new ComputationGraph(conf);
        dec.init();
        dec.getLayer("dec").setParams(g.getLayer("dec").params());
        return dec;
    }

    /** [start, end) of each parameter in the graph's flat parameter vector. */
    private static Map<String, long[]> paramRanges(ComputationGraph g) {
        Map<String, long[]> out = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, INDArray> e : g.paramTable().entrySet()) {
            out.put(e.getKey(), new long[] {offset, offset + e.getValue().length()});
            offset += e.getValue().length();
        }
        return out;
    }

    /**
     * Spreads the codebook (N(0, 1) rows, so codes are well apart), makes a minibatch of 3 and checks that every
     * position's nearest code is far ahead of the second (margin ≫ the 1e-6 perturbations).
     */
    private static INDArray prepare(ComputationGraph g, long seed) {
        VectorQuantizerLayer vq = VectorQuantizerLayer.of(g, "vq");
        Nd4j.getRandom().setSeed(seed);
        vq.getCodebook().assign(Nd4j.randn(DataType.DOUBLE, vq.getCodebook().shape()));
        if (vq.layerConf().isEma()) {
            vq.getParam(VectorQuantizerParamInitializer.EMA_SUM).assign(vq.getCodebook());
        }
        INDArray in = uniform(DataType.DOUBLE, seed + 100, 3, VqGraphs.CHANNELS, VqGraphs.SIZE, VqGraphs.SIZE);
        INDArray zE = g.feedForward(in, false).get("enc");
        double margin = minAssignmentMargin(zE, vq.getCodebook());
        assertTrue(margin > 1e-3, "assignment margin " + margin + " too small for a gradient check");
        // more than one code in use, so the codebook gradient is checked on several rows
        long used = java.util.Arrays.stream(CodeUsage.counts(VectorQuantizerLayer.quantize(zE, vq.getCodebook())
                .reshape(zE.size(0) * 9).toIntVector(), 5)).filter(c -> c > 0).count();
        assertTrue(used >= 2, "only " + used + " code(s) in use");
        return in;
    }

    private static INDArray labels(ComputationGraph g, INDArray in) {
        INDArray out = g.outputSingle(in);
        return uniform(DataType.DOUBLE, 99, out.shape());
    }

    private static boolean check(ComputationGraph g, INDArray in, Set<String> exclude,
            org.nd4j.common.function.Consumer<ComputationGraph> eachIter) {
        GradientCheckUtil.GraphConfig c = new GradientCheckUtil.GraphConfig().net(g).inputs(new INDArray[] {in})
                .labels(new INDArray[] {labels(g, in)}).epsilon(EPS).maxRelError(MAX_REL_ERROR)
                .minAbsoluteError(MIN_ABS_ERROR).exitOnFirstError(false).excludeParams(exclude);
        if (eachIter != null) {
            c.callEachIter(eachIter);
        }
        return GradientCheckUtil.checkGradients(c);
    }

    // ------------------------------------------------------------------ EMA

    /**
     * One EMA step, by hand. K = 3, D = 2, γ = 0.5, Laplace ε = 0.5 (large, so that the smoothing shows).
     * Codebook e0 = (0, 0), e1 = (4, 0), e2 = (0, 4); EMA state N = (1, 1, 1), m_k = e_k.
     * Minibatch (N = 1, h = 1, w = 4): z = (1, 0), (0, −1), (3, 1), (5, 1).
     * Squared distances to (e0, e1, e2): (1, 9, 17), (1, 17, 25), (10, 2, 18), (26, 2, 34) → codes 0, 0, 1, 1.
     * n = (2, 2, 0); s0 = (1, −1), s1 = (8, 2), s2 = (0, 0).
     * N ← 0.5·N + 0.5·n = (1.5, 1.5, 0.5); m0 = 0.5·(0, 0) + 0.5·(1, −1) = (0.5, −0.5),
     * m1 = 0.5·(4, 0) + 0.5·(8, 2) = (6, 1), m2 = 0.5·(0, 4) + 0 = (0, 2).
     * Σ N = 3.5; N' = (N + 0.5)/(3.5 + 3·0.5)·3.5 = (2, 2, 1)·0.7 = (1.4, 1.4, 0.7).
     * e0 = (0.5, −0.5)/1.4 = (5/14, −5/14); e1 = (6, 1)/1.4 = (30/7, 5/7); e2 = (0, 2)/0.7 = (0, 20/7).
     * Distortion Σ||z − z_q||² = 1 + 1 + 2 + 2 = 6; with EMA the score holds β·6 = 1.5 (no codebook term).
     * The network's updater is Adam: the VQ parameters must end exactly where the EMA put them.
     */
    @Test
    void emaUpdateMatchesHandComputation() {
        ComputationGraph g = VqGraphs.vqOnly(DataType.DOUBLE, new Adam(0.1), 2, 1, 4,
                new VectorQuantizer.Builder(3).ema(true).emaDecay(0.5).emaEpsilon(0.5).beta(0.25).build());
        VectorQuantizerLayer vq = VectorQuantizerLayer.of(g, "vq");
        INDArray book = Nd4j.createFromArray(new double[][] {{0, 0}, {4, 0}, {0, 4}});
        vq.getCodebook().assign(book);
        vq.getParam(VectorQuantizerParamInitializer.EMA_SUM).assign(book);
        vq.getParam(VectorQuantizerParamInitializer.EMA_COUNT).assign(1);
        // [N = 1, D = 2, h = 1, w = 4]: channel 0 holds the first coordinates, channel 1 the second
        INDArray zE = Nd4j.createFromArray(new double[][][][] {{{{1, 0, 3, 5}}, {{0, -1, 1, 1}}}});
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 1, 2, 1, 4);

        g.fit(new DataSet(zE, labels));

        assertArrayEquals(new int[] {0, 0, 1, 1}, vq.getLastCodeIndices());
        assertArrayEquals(new double[] {1.5, 1.5, 0.5},
                values(vq.getParam(VectorQuantizerParamInitializer.EMA_COUNT)), 1e-12);
        assertArrayEquals(new double[] {0.5, -0.5, 6, 1, 0, 2},
                values(vq.getParam(VectorQuantizerParamInitializer.EMA_SUM)), 1e-12);
        assertArrayEquals(new double[] {5.0 / 14, -5.0 / 14, 30.0 / 7, 5.0 / 7, 0, 20.0 / 7},
                values(vq.getCodebook()), 1e-12);
        assertEquals(6.0, vq.getLastDistortion(), 1e-12);
        assertEquals(0.25 * 6.0, vq.getLastVqLoss(), 1e-12);
        // the output layer's loss of z_q against zeros: 0.5·Σ e² over the four chosen (old) codes, plus β·6
        assertEquals(0.5 * (0 + 0 + 16 + 16) + 1.5, g.score(), 1e-12);
    }

    @Test
    void adamLeavesAParameterWithZeroGradientExactlyUnchanged() {
        Adam adam = new Adam(1e-3);
        INDArray state = Nd4j.zeros(DataType.FLOAT, 1, adam.stateSize(6));
        GradientUpdater<?> updater = adam.instantiate(state, true);
        for (int iteration = 0; iteration < 5; iteration++) {
            INDArray gradient = Nd4j.zeros(DataType.FLOAT, 1, 6);
            updater.applyUpdater(gradient, iteration, 0);
            assertArrayEquals(new double[6], values(gradient), 0.0, "Adam step " + iteration);
        }
        assertArrayEquals(new double[(int) state.length()], values(state), 0.0);
    }

    @Test
    void layerSetParametersUseNoOpAndNoRegularisation() {
        VectorQuantizer ema = new VectorQuantizer.Builder(4).codeDim(2).ema(true).updater(new Adam(1e-3)).l2(0.1)
                .build();
        VectorQuantizer plain = new VectorQuantizer.Builder(4).codeDim(2).updater(new Adam(1e-3)).l2(0.1).build();
        for (String key : new String[] {"codebook", "emaCount", "emaSum"}) {
            assertInstanceOf(NoOp.class, ema.getUpdaterByParam(key), key);
            assertTrue(ema.getRegularizationByParam(key) == null, key);
        }
        assertInstanceOf(Adam.class, plain.getUpdaterByParam("codebook"));
        assertEquals(1, plain.getRegularizationByParam("codebook").size());
    }
}
