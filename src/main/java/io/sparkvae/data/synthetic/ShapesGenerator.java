package io.sparkvae.data.synthetic;

import io.sparkvae.io.images.PixelCodec;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic generator of synthetic "shapes" images: one to three anti-aliased filled circles, squares and
 * triangles of random colour, size and position on a random-coloured background.
 *
 * <p>{@link #generate(long)} depends only on (seed, size, index): each index gets its own random stream, so any
 * image can be made on any executor, in any order. Instances are immutable and thread-safe.
 */
public final class ShapesGenerator implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Smallest side the generator accepts; below it shapes are a few pixels and anti-aliasing dominates. */
    public static final int MIN_SIZE = 16;
    /** Most shapes in one image. */
    public static final int MAX_SHAPES = 3;
    /** Smallest and largest shape extent (2 * {@link ShapeFactors#size()}) as a fraction of the side. */
    static final double MIN_EXTENT = 0.18;
    static final double MAX_EXTENT = 0.36;
    /** Least Euclidean RGB distance between a shape's colour and the background. */
    static final double MIN_BACKGROUND_CONTRAST = 130.0;
    /** Least Euclidean RGB distance between two shapes' colours (so overlapping shapes stay distinct). */
    static final double MIN_SHAPE_CONTRAST = 70.0;
    private static final int COLOUR_ATTEMPTS = 32;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private final long seed;
    private final int size;

    /**
     * @param seed dataset seed
     * @param size image side in pixels (32 for CIFAR-like, 64 for CelebA-like; any value >= 16 works)
     */
    public ShapesGenerator(long seed, int size) {
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("synthetic image size must be at least " + MIN_SIZE
                    + " pixels (32 or 64 are the usual choices), got " + size);
        }
        this.seed = seed;
        this.size = size;
    }

    public long seed() {
        return seed;
    }

    public int size() {
        return size;
    }

    /** Returns image {@code index} (>= 0) of this generator's dataset. */
    public ShapesImage generate(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("image index must be >= 0, got " + index);
        }
        SplittableRandom rng = new SplittableRandom(mix64(seed, index));
        int[] background = {rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)};
        int count = 1 + rng.nextInt(MAX_SHAPES);
        List<ShapeFactors> shapes = new ArrayList<>(count);
        List<int[]> colours = new ArrayList<>(count + 1);
        colours.add(background);
        ShapeKind[] kinds = ShapeKind.values();
        for (int i = 0; i < count; i++) {
            ShapeKind kind = kinds[rng.nextInt(kinds.length)];
            double half = size * (MIN_EXTENT + (MAX_EXTENT - MIN_EXTENT) * rng.nextDouble()) / 2.0;
            double cx = half + (size - 2 * half) * rng.nextDouble();
            double cy = half + (size - 2 * half) * rng.nextDouble();
            int[] rgb = contrastingColour(rng, colours);
            colours.add(rgb);
            shapes.add(new ShapeFactors(kind, cx, cy, half, rgb[0], rgb[1], rgb[2]));
        }
        byte[] pixels = render(size, background[0], background[1], background[2], shapes);
        return new ShapesImage(index, size, pixels, background[0], background[1], background[2], shapes);
    }

    /** A colour far enough from the background and, if possible, from the shapes already chosen. */
    private static int[] contrastingColour(SplittableRandom rng, List<int[]> taken) {
        int[] background = taken.get(0);
        for (int attempt = 0; attempt < COLOUR_ATTEMPTS; attempt++) {
            int[] c = {rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)};
            boolean ok = distance(c, background) >= MIN_BACKGROUND_CONTRAST;
            for (int j = 1; ok && j < taken.size(); j++) {
                ok = distance(c, taken.get(j)) >= MIN_SHAPE_CONTRAST;
            }
            if (ok) {
                return c;
            }
        }
        // The RGB cube corner opposite the background is always at least 128*sqrt(3) away from it.
        return new int[] {background[0] < 128 ? 255 : 0, background[1] < 128 ? 255 : 0, background[2] < 128 ? 255 : 0};
    }

    private static double distance(int[] a, int[] b) {
        int dr = a[0] - b[0];
        int dg = a[1] - b[1];
        int db = a[2] - b[2];
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    /** Paints the shapes, in order and anti-aliased, on the background; returns RGB bytes in HWC order. */
    static byte[] render(int size, int bgRed, int bgGreen, int bgBlue, List<ShapeFactors> shapes) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(new Color(bgRed, bgGreen, bgBlue));
            g.fillRect(0, 0, size, size);
            for (ShapeFactors s : shapes) {
                g.setColor(new Color(s.red(), s.green(), s.blue()));
                double x0 = s.centreX() - s.size();
                double y0 = s.centreY() - s.size();
                double side = 2 * s.size();
                switch (s.kind()) {
                    case CIRCLE -> g.fill(new Ellipse2D.Double(x0, y0, side, side));
                    case SQUARE -> g.fill(new Rectangle2D.Double(x0, y0, side, side));
                    case TRIANGLE -> {
                        Path2D.Double t = new Path2D.Double();
                        t.moveTo(s.centreX(), y0);
                        t.lineTo(x0 + side, y0 + side);
                        t.lineTo(x0, y0 + side);
                        t.closePath();
                        g.fill(t);
                    }
                    default -> throw new IllegalStateException("unknown shape kind " + s.kind());
                }
            }
        } finally {
            g.dispose();
        }
        return PixelCodec.argbToHwc(((DataBufferInt) image.getRaster().getDataBuffer()).getData());
    }

    /** Mixes a seed and an index into one well-spread 64-bit seed (MurmurHash3's finaliser, applied twice). */
    static long mix64(long seed, long index) {
        return fmix64(fmix64(seed) ^ (index * 0x9E3779B97F4A7C15L + 0xD1B54A32D192ED03L));
    }

    private static long fmix64(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB93FE1A85EC5L;
        return z ^ (z >>> 33);
    }
}
