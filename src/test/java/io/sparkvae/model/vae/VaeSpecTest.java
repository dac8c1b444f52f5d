package io.sparkvae.model.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** Tests of {@link VaeSpec} validation, value semantics and Java serialization. */
class VaeSpecTest {

    private static VaeSpec spec(int h, int w, int[] widths, int latent, double sigma, double beta, double min,
            double max, double lr) {
        return new VaeSpec(h, w, 3, widths, latent, Likelihood.GAUSSIAN, sigma, beta, min, max, lr, 1L);
    }

    @Test
    void validSpecHasDerivedShapes() {
        VaeSpec s = spec(32, 32, new int[] {32, 64, 128}, 64, 0.1, 1.0, -30, 20, 1e-3);
        assertEquals(4, s.bottleneckHeight());
        assertEquals(128, s.bottleneckChannels());
        assertEquals(3072, s.dataDims());
        assertEquals(3, s.depth());
    }

    @Test
    void rejectsBadValuesWithClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> spec(30, 32, new int[] {32, 64, 128}, 64, 0.1, 1, -30, 20, 1e-3));
        assertTrue(e.getMessage().contains("divisible by 2^3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> spec(32, 32, new int[0], 64, 0.1, 1, -30, 20, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> spec(32, 32, new int[] {0}, 64, 0.1, 1, -30, 20, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> spec(32, 32, new int[] {8}, 0, 0.1, 1, -30, 20, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> spec(32, 32, new int[] {8}, 4, 0.0, 1, -30, 20, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> spec(32, 32, new int[] {8}, 4, 0.1, -1, -30, 20, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> spec(32, 32, new int[] {8}, 4, 0.1, 1, 5, 5, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> spec(32, 32, new int[] {8}, 4, 0.1, 1, -30, 20, 0));
        assertThrows(IllegalArgumentException.class, () -> new VaeSpec(8, 8, 3, new int[] {4}, 2, null, 0.1, 1,
                -30, 20, 1e-3, 1L));
    }

    @Test
    void valueSemanticsAndDefensiveCopies() throws Exception {
        int[] widths = {4, 8};
        VaeSpec a = spec(8, 8, widths, 3, 0.5, 1, -6, 6, 1e-2);
        widths[0] = 99;
        assertEquals(4, a.encoderChannels()[0]);
        a.encoderChannels()[0] = 77;
        assertEquals(4, a.encoderChannels()[0]);
        VaeSpec b = spec(8, 8, new int[] {4, 8}, 3, 0.5, 1, -6, 6, 1e-2);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(2.0, a.withBeta(2.0).beta());

        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(bos)) {
            oos.writeObject(a);
        }
        try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(bos.toByteArray()))) {
            Object back = ois.readObject();
            assertEquals(a, back);
            assertNotSame(a, back);
        }
    }
}
