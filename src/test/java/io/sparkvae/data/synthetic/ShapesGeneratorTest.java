package io.sparkvae.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShapesGeneratorTest {

    private final ShapesGenerator gen32 = new ShapesGenerator(42L, 32);

    @Test
    void sameSeedAndIndexGiveIdenticalImagesWhateverTheOrderOrInstance() {
        ShapesImage late = gen32.generate(7);
        gen32.generate(3);
        ShapesImage again = new ShapesGenerator(42L, 32).generate(7);
        assertArrayEquals(late.pixels(), again.pixels());
        assertEquals(late, again);
    }

    @Test
    void parallelGenerationMatchesSequential() {
        List<byte[]> parallel = java.util.stream.LongStream.range(0, 200).parallel()
                .mapToObj(i -> gen32.generate(i).pixels()).toList();
        for (int i = 0; i < 200; i++) {
            assertArrayEquals(gen32.generate(i).pixels(), parallel.get(i));
        }
    }

    @Test
    void differentIndexOrSeedGivesDifferentImages() {
        assertFalse(Arrays.equals(gen32.generate(0).pixels(), gen32.generate(1).pixels()));
        assertFalse(Arrays.equals(gen32.generate(0).pixels(), new ShapesGenerator(43L, 32).generate(0).pixels()));
    }

    @Test
    void imagesHaveOneToThreeShapesOfEveryKindInsideTheImage() {
        Set<ShapeKind> kinds = EnumSet.noneOf(ShapeKind.class);
        int[] countsSeen = new int[4];
        for (long i = 0; i < 300; i++) {
            ShapesImage img = gen32.generate(i);
            int n = img.shapes().size();
            assertTrue(n >= 1 && n <= 3, "shape count " + n);
            countsSeen[n]++;
            for (ShapeFactors s : img.shapes()) {
                kinds.add(s.kind());
                assertTrue(s.centreX() - s.size() >= 0 && s.centreX() + s.size() <= 32, s.toString());
                assertTrue(s.centreY() - s.size() >= 0 && s.centreY() + s.size() <= 32, s.toString());
                double extent = 2 * s.size() / 32;
                assertTrue(extent >= 0.30 && extent <= 0.55, "extent " + extent);
                double contrast = Math.sqrt(sq(s.red() - img.backgroundRed()) + sq(s.green() - img.backgroundGreen())
                        + sq(s.blue() - img.backgroundBlue()));
                assertTrue(contrast >= ShapesGenerator.MIN_BACKGROUND_CONTRAST, "contrast " + contrast);
            }
        }
        assertEquals(EnumSet.allOf(ShapeKind.class), kinds);
        assertTrue(countsSeen[1] > 0 && countsSeen[2] > 0 && countsSeen[3] > 0, Arrays.toString(countsSeen));
    }

    @Test
    void shapesOfOneImageNeverOverlapAndHaveDifferentPaletteColours() {
        for (long i = 0; i < 300; i++) {
            List<ShapeFactors> shapes = gen32.generate(i).shapes();
            for (int a = 0; a < shapes.size(); a++) {
                ShapeFactors s = shapes.get(a);
                assertTrue(inPalette(ShapesGenerator.SHAPE_COLOURS, s.red(), s.green(), s.blue()), s.toString());
                for (int b = a + 1; b < shapes.size(); b++) {
                    ShapeFactors t = shapes.get(b);
                    double reach = s.size() + t.size() + ShapesGenerator.MIN_GAP;
                    assertTrue(Math.abs(s.centreX() - t.centreX()) >= reach
                            || Math.abs(s.centreY() - t.centreY()) >= reach, "image " + i + ": " + s + " overlaps " + t);
                    assertFalse(s.red() == t.red() && s.green() == t.green() && s.blue() == t.blue(),
                            "image " + i + " repeats a colour");
                }
            }
            ShapesImage img = gen32.generate(i);
            assertTrue(inPalette(ShapesGenerator.BACKGROUND_COLOURS, img.backgroundRed(), img.backgroundGreen(),
                    img.backgroundBlue()), "background of image " + i);
        }
    }

    @Test
    void everyBackgroundLeavesEnoughContrastingShapeColours() {
        for (int[] bg : ShapesGenerator.BACKGROUND_COLOURS) {
            long n = Arrays.stream(ShapesGenerator.SHAPE_COLOURS)
                    .filter(c -> ShapesGenerator.distance(c, bg) >= ShapesGenerator.MIN_BACKGROUND_CONTRAST).count();
            assertTrue(n >= ShapesGenerator.MAX_SHAPES, Arrays.toString(bg) + " leaves " + n);
        }
    }

    private static boolean inPalette(int[][] palette, int r, int g, int b) {
        return Arrays.stream(palette).anyMatch(c -> c[0] == r && c[1] == g && c[2] == b);
    }

    @Test
    void pixelArrayIsSideSquaredTimesThree() {
        assertEquals(32 * 32 * 3, gen32.generate(5).pixels().length);
        ShapesImage img64 = new ShapesGenerator(1L, 64).generate(5);
        assertEquals(64, img64.size());
        assertEquals(64 * 64 * 3, img64.pixels().length);
        assertEquals(20 * 20 * 3, new ShapesGenerator(1L, 20).generate(0).pixels().length);
    }

    @Test
    void bytesAreRgbInHwcOrder() {
        // pure red circle centred at (8, 8) and pure blue square at (24, 24) on black
        List<ShapeFactors> shapes = List.of(
                new ShapeFactors(ShapeKind.CIRCLE, 8, 8, 5, 255, 0, 0),
                new ShapeFactors(ShapeKind.SQUARE, 24, 24, 5, 0, 0, 255));
        byte[] px = ShapesGenerator.render(32, 0, 0, 0, shapes);
        assertArrayEquals(new int[] {255, 0, 0}, rgbAt(px, 32, 8, 8));
        assertArrayEquals(new int[] {0, 0, 255}, rgbAt(px, 32, 24, 24));
        assertArrayEquals(new int[] {0, 0, 0}, rgbAt(px, 32, 24, 8)); // row 8, column 24: background
    }

    @Test
    void backgroundFillsTheCornersOfAGeneratedImage() {
        ShapesImage img = gen32.generate(11);
        int[] bg = {img.backgroundRed(), img.backgroundGreen(), img.backgroundBlue()};
        boolean anyCornerIsBackground = false;
        for (int[] c : new int[][] {{0, 0}, {31, 0}, {0, 31}, {31, 31}}) {
            anyCornerIsBackground |= Arrays.equals(bg, rgbAt(img.pixels(), 32, c[0], c[1]));
        }
        assertTrue(anyCornerIsBackground);
    }

    @Test
    void rejectsTooSmallSizesAndNegativeIndices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ShapesGenerator(1L, 8));
        assertTrue(e.getMessage().contains("at least 16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> gen32.generate(-1));
    }

    @Test
    void generatorAndImagesAreSerializable() throws Exception {
        ShapesImage img = gen32.generate(3);
        assertEquals(img, roundTrip(img));
        ShapesGenerator copy = (ShapesGenerator) roundTrip(gen32);
        assertEquals(img, copy.generate(3));
    }

    private static Object roundTrip(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }

    private static int[] rgbAt(byte[] hwc, int side, int x, int y) {
        int i = (y * side + x) * 3;
        return new int[] {hwc[i] & 0xFF, hwc[i + 1] & 0xFF, hwc[i + 2] & 0xFF};
    }

    private static int sq(int v) {
        return v * v;
    }
}
