package io.sparkvae.model.vae;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Test fixture: the tiny VAE spec (8×8×3 images, widths {4, 8}, latent 3) and random images for it. */
final class TinyVae {

    private TinyVae() {
    }

    static VaeSpec spec(Likelihood likelihood) {
        return new VaeSpec(8, 8, 3, new int[] {4, 8}, 3, likelihood, 0.5, 1.0, -6.0, 6.0, 1e-2, 1234L);
    }

    static INDArray images(DataType dt, int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(dt, n, 3, 8, 8);
    }
}
