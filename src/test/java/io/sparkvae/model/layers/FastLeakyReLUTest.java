package io.sparkvae.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** {@link FastLeakyReLU} gives DL4J's ActivationLReLU values and gradients. */
class FastLeakyReLUTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void matchesDl4jLeakyRelu(DataType type) {
        Nd4j.getRandom().setSeed(3);
        INDArray z = Nd4j.randn(type, 4, 3, 5, 5);
        INDArray eps = Nd4j.randn(type, 4, 3, 5, 5);
        FastLeakyReLU fast = new FastLeakyReLU(0.2);
        ActivationLReLU stock = new ActivationLReLU(0.2);
        assertClose(stock.getActivation(z.dup(), true), fast.getActivation(z.dup(), true));
        assertClose(stock.backprop(z.dup(), eps.dup()).getFirst(), fast.backprop(z.dup(), eps.dup()).getFirst());
        assertTrue(z.lt(0).castTo(type).sumNumber().doubleValue() > 10, "the data must have negative inputs");
    }

    private static void assertClose(INDArray expected, INDArray actual) {
        assertEquals(0.0, Transforms.abs(expected.sub(actual)).maxNumber().doubleValue(), 1e-6);
    }

    @Test
    void rejectsSlopeOutsideZeroToOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FastLeakyReLU(1.5));
        assertEquals("leaky ReLU slope must be in [0, 1), got 1.5", e.getMessage());
    }
}
