package io.sparkvae.data.synthetic;

import java.io.Serializable;
import java.util.Objects;

/**
 * The generative factors of one filled shape in a synthetic image.
 *
 * <p>All three kinds share one bounding box: the square {@code [centreX - size, centreX + size] x
 * [centreY - size, centreY + size]}. {@code size} is the circle's radius, the square's half side, and the
 * triangle's half base (an upright isosceles triangle with its apex at the top middle of the box).
 * Coordinates are in pixels, with (0, 0) the top-left corner of the image.
 *
 * @param kind    the shape drawn
 * @param centreX centre x in pixels
 * @param centreY centre y in pixels
 * @param size    half extent in pixels, positive
 * @param red     fill red, 0..255
 * @param green   fill green, 0..255
 * @param blue    fill blue, 0..255
 */
public record ShapeFactors(ShapeKind kind, double centreX, double centreY, double size,
                           int red, int green, int blue) implements Serializable {

    private static final long serialVersionUID = 1L;

    public ShapeFactors {
        Objects.requireNonNull(kind, "kind");
        if (!(size > 0) || !Double.isFinite(size)) {
            throw new IllegalArgumentException("shape size must be a positive finite number of pixels, got " + size);
        }
        if (!Double.isFinite(centreX) || !Double.isFinite(centreY)) {
            throw new IllegalArgumentException("shape centre must be finite, got (" + centreX + ", " + centreY + ")");
        }
        checkChannel("red", red);
        checkChannel("green", green);
        checkChannel("blue", blue);
    }

    static void checkChannel(String name, int value) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException(name + " must be in 0..255, got " + value);
        }
    }
}
