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
 * <p>The distribution is chosen so that the small models of the local run can learn it in minutes on two cores
 * and a person can judge a sample at a glance: colours are drawn from a palette of nine saturated shape colours
 * and six muted backgrounds, every shape contrasts with the background, shapes of one image have different
 * colours, shapes span 30-55% of the side, and they never overlap (a shape that finds no free place is left
 * out, so some images drawn with three shapes have fewer). An earlier version drew colours uniformly from the
 * RGB cube and let small shapes overlap: the 8-epoch VAE of the local run learnt backgrounds from it but only
 * blobs for shapes.
 *
 * <p>{@link #generate(long)} depends only on (seed, size, index): each index gets its own random stream, so any
 * image can be made on any executor, in any order. Instances are immutable and thread-safe.
 */
public final class ShapesGenerator implements Serializable {

    private static final long serialVersionUID = 2L;

    /**
     * Version of the distribution, written to {@code _dataset.json} as {@code generator}: a prepared dataset of
     * another version holds different images for the same seed and must be prepared again.
     */
    public static final String VERSION = "shapes-v2";
    /** Smallest side the generator accepts; below it shapes are a few pixels and anti-aliasing dominates. */
    public static final int MIN_SIZE = 16;
    /** Most shapes in one image. */
    public static final int MAX_SHAPES = 3;
    /** Smallest and largest shape extent (2 * {@link ShapeFactors#size()}) as a fraction of the side. */
    static final double MIN_EXTENT = 0.30;
    static final double MAX_EXTENT = 0.55;
    /** Least gap in pixels between the bounding boxes of two shapes of one image. */
    static final double MIN_GAP = 1.0;
    /** Least Euclidean RGB distance between a shape's colour and the background. */
    static final double MIN_BACKGROUND_CONTRAST = 130.0;
    /** Colours of shapes: red, green, yellow, blue, orange, purple, cyan, magenta, white. */
    static final int[][] SHAPE_COLOURS = {
        {230, 25, 45}, {60, 180, 75}, {255, 225, 25}, {0, 130, 200}, {245, 130, 48}, {145, 30, 180},
        {70, 240, 240}, {240, 50, 230}, {255, 255, 255}};
    /** Colours of backgrounds: near black, grey, navy, dark green, dark red, light grey. */
    static final int[][] BACKGROUND_COLOURS = {
        {20, 20, 20}, {90, 90, 90}, {30, 40, 90}, {40, 80, 40}, {100, 40, 40}, {200, 200, 190}};
    private static final int PLACEMENT_ATTEMPTS = 32;

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
        int[] background = BACKGROUND_COLOURS[rng.nextInt(BACKGROUND_COLOURS.length)];
        List<int[]> colours = coloursFor(rng, background);
        int count = 1 + rng.nextInt(MAX_SHAPES);
        List<ShapeFactors> shapes = new ArrayList<>(count);
        ShapeKind[] kinds = ShapeKind.values();
        for (int i = 0; i < count; i++) {
            ShapeKind kind = kinds[rng.nextInt(kinds.length)];
            int[] rgb = colours.get(i);
            for (int attempt = 0; attempt < PLACEMENT_ATTEMPTS; attempt++) {
                double half = size * (MIN_EXTENT + (MAX_EXTENT - MIN_EXTENT) * rng.nextDouble()) / 2.0;
                double cx = half + (size - 2 * half) * rng.nextDouble();
                double cy = half + (size - 2 * half) * rng.nextDouble();
                if (isFree(shapes, cx, cy, half)) {
                    shapes.add(new ShapeFactors(kind, cx, cy, half, rgb[0], rgb[1], rgb[2]));
                    break;
                }
            }
        }
        byte[] pixels = render(size, background[0], background[1], background[2], shapes);
        return new ShapesImage(index, size, pixels, background[0], background[1], background[2], shapes);
    }

    /** The shape colours that contrast with the background, in a random order (a partial Fisher-Yates shuffle). */
    private static List<int[]> coloursFor(SplittableRandom rng, int[] background) {
        List<int[]> candidates = new ArrayList<>();
        for (int[] c : SHAPE_COLOURS) {
            if (distance(c, background) >= MIN_BACKGROUND_CONTRAST) {
                candidates.add(c);
            }
        }
        for (int i = 0; i < MAX_SHAPES; i++) {
            java.util.Collections.swap(candidates, i, i + rng.nextInt(candidates.size() - i));
        }
        return candidates;
    }

    /** Whether a shape's bounding box keeps {@link #MIN_GAP} from every bounding box already placed. */
    private static boolean isFree(List<ShapeFactors> placed, double cx, double cy, double half) {
        for (ShapeFactors s : placed) {
            double reach = s.size() + half + MIN_GAP;
            if (Math.abs(s.centreX() - cx) < reach && Math.abs(s.centreY() - cy) < reach) {
                return false;
            }
        }
        return true;
    }

    static double distance(int[] a, int[] b) {
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
