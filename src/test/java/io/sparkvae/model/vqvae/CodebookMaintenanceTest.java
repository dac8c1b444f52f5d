package io.sparkvae.model.vqvae;

import static io.sparkvae.model.vqvae.VectorQuantizerParamInitializer.EMA_COUNT;
import static io.sparkvae.model.vqvae.VectorQuantizerParamInitializer.EMA_SUM;
import static io.sparkvae.model.vqvae.VqGraphs.uniform;
import static io.sparkvae.model.vqvae.VqGraphs.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Codebook maintenance for the training driver: initialisation from encoder outputs, dead-code restarts,
 * re-derivation after parameter averaging, and the code-usage metrics.
 */
class CodebookMaintenanceTest {

    private static VectorQuantizerLayer layer(int k, int d, boolean ema) {
        ComputationGraph g = VqGraphs.vqOnly(DataType.FLOAT, new NoOp(), d, 2, 2,
                new VectorQuantizer.Builder(k).ema(ema).build());
        return VectorQuantizerLayer.of(g, "vq");
    }

    /** The index of the row of {@code data} equal to {@code row}, or -1. */
    private static int rowIndex(INDArray data, INDArray row) {
        for (int i = 0; i < data.rows(); i++) {
            if (java.util.Arrays.equals(values(data.getRow(i)), values(row))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void initialisesTheCodebookFromDistinctEncoderOutputs() {
        INDArray data = uniform(DataType.FLOAT, 1, 40, 3);
        VectorQuantizerLayer vq = layer(8, 3, true);
        vq.initCodebook(data, 42);
        Set<Integer> rows = new HashSet<>();
        for (int k = 0; k < 8; k++) {
            int i = rowIndex(data, vq.getCodebook().getRow(k));
            assertTrue(i >= 0, "code " + k + " is not a row of the data");
            rows.add(i);
        }
        assertEquals(8, rows.size(), "codes must be distinct rows");
        assertArrayEquals(values(vq.getCodebook()), values(vq.getParam(EMA_SUM)), 0.0);
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1, 1, 1}, values(vq.getParam(EMA_COUNT)), 0.0);

        VectorQuantizerLayer again = layer(8, 3, true);
        again.initCodebook(data, 42);
        assertArrayEquals(values(vq.getCodebook()), values(again.getCodebook()), 0.0);
    }

    @Test
    void fewerEncoderOutputsThanCodesAreSampledWithReplacementPlusNoise() {
        INDArray data = uniform(DataType.FLOAT, 2, 3, 4);
        VectorQuantizerLayer vq = layer(10, 4, false);
        vq.initCodebook(data, 7);
        double std = data.stdNumber().doubleValue();
        Set<String> distinct = new HashSet<>();
        for (int k = 0; k < 10; k++) {
            INDArray code = vq.getCodebook().getRow(k);
            double nearest = Double.POSITIVE_INFINITY;
            for (int i = 0; i < 3; i++) {
                nearest = Math.min(nearest, Math.sqrt(code.squaredDistance(data.getRow(i))));
            }
            assertTrue(nearest > 0 && nearest < 0.1 * std, "code " + k + " is " + nearest + " from the data");
            distinct.add(java.util.Arrays.toString(values(code)));
        }
        assertEquals(10, distinct.size());
    }

    @Test
    void restartsOnlyCodesUnderTheThresholdDeterministically() {
        INDArray buffer = uniform(DataType.FLOAT, 3, 12, 3);
        long[] usage = {5, 0, 3, 1, 0, 10};
        VectorQuantizerLayer vq = layer(6, 3, true);
        vq.getCodebook().assign(uniform(DataType.FLOAT, 4, 6, 3).addi(10)); // far from the buffer
        vq.getParam(EMA_SUM).assign(vq.getCodebook().mul(2));
        vq.getParam(EMA_COUNT).assign(2);
        INDArray before = vq.getCodebook().dup();

        int restarted = VectorQuantizerLayer.restartDeadCodes(vq, usage, 2, buffer, 99);

        assertEquals(3, restarted); // codes 1, 3, 4
        Set<Integer> rows = new HashSet<>();
        for (int k = 0; k < 6; k++) {
            INDArray code = vq.getCodebook().getRow(k);
            if (usage[k] < 2) {
                int i = rowIndex(buffer, code);
                assertTrue(i >= 0, "code " + k + " not re-seeded from the buffer");
                rows.add(i);
                assertArrayEquals(values(code), values(vq.getParam(EMA_SUM).getRow(k)), 0.0);
                assertEquals(1.0, vq.getParam(EMA_COUNT).getDouble(0, k));
            } else {
                assertArrayEquals(values(before.getRow(k)), values(code), 0.0, "code " + k + " touched");
                assertArrayEquals(values(before.getRow(k).mul(2)), values(vq.getParam(EMA_SUM).getRow(k)), 0.0);
                assertEquals(2.0, vq.getParam(EMA_COUNT).getDouble(0, k));
            }
        }
        assertEquals(3, rows.size(), "restarted codes come from distinct buffer rows");

        VectorQuantizerLayer same = layer(6, 3, true);
        same.getCodebook().assign(before);
        VectorQuantizerLayer.restartDeadCodes(same, usage, 2, buffer, 99);
        assertArrayEquals(values(vq.getCodebook()), values(same.getCodebook()), 0.0);
        assertEquals(0, VectorQuantizerLayer.restartDeadCodes(same, new long[] {2, 2, 2, 2, 2, 2}, 2, buffer, 1));
        assertThrows(IllegalArgumentException.class,
                () -> VectorQuantizerLayer.restartDeadCodes(same, new long[] {1, 2}, 2, buffer, 1));
    }

    /**
     * Two "workers" start from the same state and fit different minibatches; their parameters are averaged as
     * dl4j-spark does. The averaged EMA statistics equal one EMA step on the averaged per-step statistics (exact),
     * while the averaged codebook is not sum/count until {@link VectorQuantizerLayer#rederiveCodebooks} is called.
     */
    @Test
    void averagedEmaStatisticsAreExactAndTheCodebookIsRederived() {
        double gamma = 0.9;
        double eps = 1e-5;
        ComputationGraph a = VqGraphs.vqOnly(DataType.DOUBLE, new Adam(1e-3), 2, 2, 3,
                new VectorQuantizer.Builder(4).ema(true).emaDecay(gamma).emaEpsilon(eps).build());
        VectorQuantizerLayer.of(a, "vq").initCodebook(uniform(DataType.DOUBLE, 5, 20, 2), 3);
        ComputationGraph b = a.clone();
        INDArray startCount = VectorQuantizerLayer.of(a, "vq").getParam(EMA_COUNT).dup();
        INDArray startSum = VectorQuantizerLayer.of(a, "vq").getParam(EMA_SUM).dup();
        INDArray startBook = VectorQuantizerLayer.of(a, "vq").getCodebook().dup();
        INDArray xa = uniform(DataType.DOUBLE, 6, 3, 2, 2, 3);
        INDArray xb = uniform(DataType.DOUBLE, 7, 3, 2, 2, 3);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 3, 2, 2, 3);
        a.fit(new DataSet(xa, labels));
        b.fit(new DataSet(xb, labels));

        // per-step statistics of each worker, computed with the starting codebook
        INDArray countA = Nd4j.createFromArray(CodeUsage.counts(codes(xa, startBook), 4)).castTo(DataType.DOUBLE);
        INDArray countB = Nd4j.createFromArray(CodeUsage.counts(codes(xb, startBook), 4)).castTo(DataType.DOUBLE);
        INDArray sumA = sums(xa, startBook);
        INDArray sumB = sums(xb, startBook);
        INDArray expectedCount = startCount.mul(gamma).addi(countA.add(countB).muli(0.5 * (1 - gamma)).reshape(1, 4));
        INDArray expectedSum = startSum.mul(gamma).addi(sumA.add(sumB).muli(0.5 * (1 - gamma)));

        ComputationGraph avg = a.clone();
        avg.setParams(a.params().add(b.params()).muli(0.5));
        VectorQuantizerLayer vq = VectorQuantizerLayer.of(avg, "vq");
        assertArrayEquals(values(expectedCount), values(vq.getParam(EMA_COUNT)), 1e-12);
        assertArrayEquals(values(expectedSum), values(vq.getParam(EMA_SUM)), 1e-12);

        double n = expectedCount.sumNumber().doubleValue();
        INDArray smoothed = expectedCount.add(eps).divi(n + 4 * eps).muli(n).reshape(4, 1);
        INDArray expectedBook = expectedSum.divColumnVector(smoothed);
        assertFalse(java.util.Arrays.equals(values(expectedBook), values(vq.getCodebook())),
                "averaging alone should not give sum/count");
        assertEquals(1, VectorQuantizerLayer.rederiveCodebooks(avg));
        assertArrayEquals(values(expectedBook), values(vq.getCodebook()), 1e-12);
    }

    private static int[] codes(INDArray zE, INDArray codebook) {
        return VectorQuantizerLayer.nearestCodes(VectorQuantizerLayer.rowsOf(zE), codebook);
    }

    private static INDArray sums(INDArray zE, INDArray codebook) {
        INDArray rows = VectorQuantizerLayer.rowsOf(zE);
        int[] codes = codes(zE, codebook);
        INDArray out = Nd4j.zeros(DataType.DOUBLE, codebook.rows(), codebook.columns());
        for (int m = 0; m < codes.length; m++) {
            out.getRow(codes[m]).addi(rows.getRow(m));
        }
        return out;
    }

    @Test
    void perplexityAndFractionUsed() {
        assertEquals(4.0, CodeUsage.perplexity(new long[] {7, 0, 7, 7, 0, 7}), 1e-12);
        assertEquals(4.0 / 6, CodeUsage.fractionUsed(new long[] {7, 0, 7, 7, 0, 7}), 1e-12);
        assertEquals(1.0, CodeUsage.perplexity(new long[] {0, 0, 12, 0}), 1e-12);
        assertEquals(0.25, CodeUsage.fractionUsed(new long[] {0, 0, 12, 0}), 1e-12);
        double p = 0.25;
        double q = 0.75;
        assertEquals(Math.exp(-(p * Math.log(p) + q * Math.log(q))), CodeUsage.perplexity(new long[] {1, 3}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> CodeUsage.perplexity(new long[] {0, 0}));

        long[] counts = CodeUsage.counts(new int[] {2, 0, 2}, 3);
        assertArrayEquals(new long[] {1, 0, 2}, counts);
        CodeUsage.add(counts, Nd4j.createFromArray(new int[][][] {{{1, 1}, {2, 0}}}));
        assertArrayEquals(new long[] {2, 2, 3}, counts);
        assertThrows(IllegalArgumentException.class, () -> CodeUsage.add(counts, new int[] {3}));
    }
}
