package io.sparkvae.model.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.BiFunction;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Test helpers for our layers: DL4J's gradient check in double precision, and a graph with one of our layers against
 * the same graph with DL4J's stock layer in float.
 */
public final class LayerChecks {

    /** The closeness asked of our layers against DL4J's stock ones in float. */
    public static final double TOLERANCE = 1e-5;

    private LayerChecks() {
    }

    /**
     * DL4J's gradient check of every parameter of {@code g} (in double precision) on one input and its labels:
     * central differences of 1e-6, relative error within 1e-5 unless both gradients are below 1e-9.
     */
    public static void assertGradientCheckPasses(ComputationGraph g, INDArray in, INDArray labels, Object what) {
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                .inputs(new INDArray[] {in}).labels(new INDArray[] {labels}).epsilon(1e-6).maxRelError(1e-5)
                .minAbsoluteError(1e-9).exitOnFirstError(false));
        assertTrue(ok, "gradient check failed for " + what);
    }

    /** Random labels in [0, 1) of the shape of {@code g}'s output for {@code in}, the same in every run. */
    public static INDArray randomLabels(ComputationGraph g, INDArray in) {
        INDArray out = g.outputSingle(in);
        Nd4j.getRandom().setSeed(12);
        return Nd4j.rand(out.dataType(), out.shape());
    }

    /**
     * The same output, score and gradients from both graphs (which hold the same weights) on {@code in} and
     * {@code labels}; {@code expectedGradient} turns the stock graph's gradient of a parameter (by key) into what
     * ours should be.
     */
    public static void assertSameOutputScoreAndGradients(ComputationGraph stock, ComputationGraph ours, INDArray in,
            INDArray labels, BiFunction<String, INDArray, INDArray> expectedGradient) {
        assertClose("output", stock.outputSingle(in), ours.outputSingle(in));
        for (ComputationGraph g : new ComputationGraph[] {stock, ours}) {
            g.setInputs(in);
            g.setLabels(labels);
            g.computeGradientAndScore();
        }
        assertEquals(stock.score(), ours.score(), TOLERANCE * Math.max(1, Math.abs(stock.score())));
        Map<String, INDArray> expected = stock.gradient().gradientForVariable();
        Map<String, INDArray> actual = ours.gradient().gradientForVariable();
        assertEquals(expected.keySet(), actual.keySet());
        for (String key : expected.keySet()) {
            assertClose("gradient " + key, expectedGradient.apply(key, expected.get(key)), actual.get(key));
        }
    }

    /** {@link #assertSameOutputScoreAndGradients} with the stock gradients as they are. */
    public static void assertSameOutputScoreAndGradients(ComputationGraph stock, ComputationGraph ours, INDArray in,
            INDArray labels) {
        assertSameOutputScoreAndGradients(stock, ours, in, labels, (key, gradient) -> gradient);
    }

    /** Max absolute difference within {@link #TOLERANCE} of the larger of 1 and the reference's largest magnitude. */
    public static void assertClose(String what, INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        double diff = Transforms.abs(expected.sub(actual)).maxNumber().doubleValue();
        assertTrue(diff <= TOLERANCE * scale, what + ": max |stock - ours| = " + diff + " (scale " + scale + ")");
    }
}
