package io.sparkvae.data.synthetic;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One synthetic image: its raw pixels (uint8, HWC, RGB) and the factors that produced them.
 *
 * @param index           the image's index within its generator; with the generator's seed it determines the image
 * @param size            side in pixels (the image is square)
 * @param pixels          raw RGB bytes in HWC order, length {@code size * size * 3}
 * @param backgroundRed   background red, 0..255
 * @param backgroundGreen background green, 0..255
 * @param backgroundBlue  background blue, 0..255
 * @param shapes          the shapes, in painting order (later ones cover earlier ones)
 */
public record ShapesImage(long index, int size, byte[] pixels,
                          int backgroundRed, int backgroundGreen, int backgroundBlue,
                          List<ShapeFactors> shapes) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Channels per pixel (RGB). */
    public static final int CHANNELS = 3;

    public ShapesImage {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(shapes, "shapes");
        if (size <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + size);
        }
        if (pixels.length != size * size * CHANNELS) {
            throw new IllegalArgumentException("pixels must hold size*size*3 = " + size * size * CHANNELS
                    + " bytes, got " + pixels.length);
        }
        ShapeFactors.checkChannel("backgroundRed", backgroundRed);
        ShapeFactors.checkChannel("backgroundGreen", backgroundGreen);
        ShapeFactors.checkChannel("backgroundBlue", backgroundBlue);
        shapes = List.copyOf(shapes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShapesImage other
                && index == other.index && size == other.size
                && backgroundRed == other.backgroundRed && backgroundGreen == other.backgroundGreen
                && backgroundBlue == other.backgroundBlue
                && Arrays.equals(pixels, other.pixels) && shapes.equals(other.shapes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, size, Arrays.hashCode(pixels), backgroundRed, backgroundGreen, backgroundBlue, shapes);
    }

    @Override
    public String toString() {
        return "ShapesImage[index=" + index + ", size=" + size + ", background=(" + backgroundRed + ", "
                + backgroundGreen + ", " + backgroundBlue + "), shapes=" + shapes + "]";
    }
}
