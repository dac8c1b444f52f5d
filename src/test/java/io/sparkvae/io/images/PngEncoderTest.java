package io.sparkvae.io.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class PngEncoderTest {

    /** The raw samples ImageIO decodes, in HWC order, whatever the image type. */
    static byte[] decodedSamples(byte[] png, int expectedChannels) {
        BufferedImage image = PixelCodec.decodePng(png);
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        assertEquals(expectedChannels, raster.getNumBands());
        int[] samples = raster.getPixels(0, 0, w, h, (int[]) null);
        byte[] out = new byte[samples.length];
        for (int i = 0; i < samples.length; i++) {
            out[i] = (byte) samples[i];
        }
        return out;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Smooth gradients with a little noise, like a decoded sample. */
    static byte[] smooth(int h, int w, int c, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[h * w * c];
        for (int y = 0, i = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++, i++) {
                    b[i] = (byte) Math.max(0, Math.min(255, 40 + 3 * x + 2 * y + 30 * ch + r.nextInt(5) - 2));
                }
            }
        }
        return b;
    }

    @Test
    void decodesToTheIdenticalPixelsForManySizesAndChannels() {
        int[][] sizes = {{1, 1}, {1, 7}, {7, 1}, {3, 5}, {17, 33}, {32, 32}, {64, 64}, {31, 65}, {200, 3}};
        int[] filters = {0, 1, 2};
        for (int c : new int[] {1, 3, 4}) {
            for (int[] hw : sizes) {
                int h = hw[0];
                int w = hw[1];
                byte[][] images = {random(h * w * c, h * 31L + w), smooth(h, w, c, w), new byte[h * w * c],
                    filled(h * w * c, (byte) 0xC8)};
                for (byte[] pixels : images) {
                    for (int filter : filters) {
                        int strategy = filter == 1 ? Deflater.DEFAULT_STRATEGY : Deflater.HUFFMAN_ONLY;
                        try (PngEncoder encoder = new PngEncoder(filter == 0 ? 6 : 1, filter, strategy)) {
                            byte[] png = encoder.encode(pixels, h, w, c);
                            assertArrayEquals(pixels, decodedSamples(png, c),
                                    h + "x" + w + "x" + c + " filter " + filter);
                            // a reused encoder gives the same bytes again
                            assertArrayEquals(png, encoder.encode(pixels, h, w, c));
                        }
                    }
                }
            }
        }
    }

    @Test
    void oneEncoderReusedAcrossShapesAndOffsets() {
        try (PngEncoder encoder = new PngEncoder()) {
            byte[] big = random(64 * 64 * 3, 5);
            byte[] small = random(2 * 3 * 1, 6);
            byte[] bigPng = encoder.encode(big, 64, 64, 3);
            assertArrayEquals(small, decodedSamples(encoder.encode(small, 2, 3, 1), 1));
            assertArrayEquals(bigPng, encoder.encode(big, 64, 64, 3));
            byte[] padded = new byte[10 + big.length];
            System.arraycopy(big, 0, padded, 10, big.length);
            assertArrayEquals(bigPng, encoder.encode(padded, 10, 64, 64, 3));
            assertArrayEquals(big, decodedSamples(bigPng, 3));
        }
    }

    @Test
    void pixelCodecRoundTripsRgbAndGrayThroughTheNewEncoder() {
        byte[] rgb = smooth(64, 64, 3, 1);
        assertArrayEquals(rgb, PixelCodec.fromBufferedImage(PixelCodec.decodePng(PixelCodec.encodePng(rgb, 64, 64,
                3))));
        byte[] gray = random(9 * 11, 2);
        assertArrayEquals(gray, decodedSamples(PixelCodec.encodePng(gray, 9, 11, 1), 1));
    }

    @Test
    void storedBlocksDecodeToTheIdenticalPixels() {
        // 256x256x3 (196,864 filtered bytes) needs several of deflate's stored blocks (at most 65,535 bytes each)
        int[][] sizes = {{1, 1}, {32, 32}, {64, 64}, {128, 128}, {256, 256}, {200, 3}};
        try (PngEncoder stored = PngEncoder.stored(); PngEncoder huffman = new PngEncoder()) {
            for (int c : new int[] {1, 3, 4}) {
                for (int[] hw : sizes) {
                    byte[] pixels = smooth(hw[0], hw[1], c, 9);
                    byte[] png = stored.encode(pixels, hw[0], hw[1], c);
                    assertArrayEquals(pixels, decodedSamples(png, c), hw[0] + "x" + hw[1] + "x" + c);
                    if (hw[0] * hw[1] >= 1024) {
                        assertTrue(png.length > huffman.encode(pixels, hw[0], hw[1], c).length,
                                "stored blocks are larger than Huffman-coded ones");
                    }
                }
            }
        }
    }

    @Test
    void floatPlanesGiveTheSamePngAsTheirBytes() {
        Random r = new Random(3);
        for (int c : new int[] {1, 3, 4}) {
            for (int[] hw : new int[][] {{1, 1}, {5, 7}, {32, 32}, {64, 64}}) {
                int h = hw[0];
                int w = hw[1];
                int n = c * h * w;
                // two images after a 3-value pad, with values outside [0, 1] and NaN as a decoder may give
                float[] planes = new float[3 + 2 * n];
                for (int i = 0; i < planes.length; i++) {
                    planes[i] = i % 97 == 5 ? Float.NaN : r.nextFloat() * 1.2f - 0.1f;
                }
                for (int filter : new int[] {0, 1, 2}) {
                    try (PngEncoder encoder = new PngEncoder(1, filter, Deflater.HUFFMAN_ONLY)) {
                        for (int image = 0; image < 2; image++) {
                            int offset = 3 + image * n;
                            byte[] hwc = ImageTensors.toHwcBytes(org.nd4j.linalg.factory.Nd4j.create(
                                    Arrays.copyOfRange(planes, offset, offset + n), new long[] {1, c, h, w}, 'c'))
                                    .get(0);
                            byte[] png = encoder.encodeChw(planes, offset, h, w, c);
                            assertArrayEquals(encoder.encode(hwc, h, w, c), png,
                                    h + "x" + w + "x" + c + " filter " + filter + " image " + image);
                            // the same image interleaved, after a pad of its own
                            float[] interleaved = new float[1 + n];
                            for (int y = 0; y < h; y++) {
                                for (int x = 0; x < w; x++) {
                                    for (int ch = 0; ch < c; ch++) {
                                        interleaved[1 + (y * w + x) * c + ch] = planes[offset + ch * h * w + y * w + x];
                                    }
                                }
                            }
                            assertArrayEquals(png, encoder.encodeHwc(interleaved, 1, h, w, c),
                                    "interleaved " + h + "x" + w + "x" + c + " filter " + filter);
                            assertArrayEquals(hwc, decodedSamples(png, c));
                        }
                    }
                }
            }
        }
        try (PngEncoder encoder = new PngEncoder()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> encoder.encodeChw(new float[11], 0, 2, 2, 3));
            assertEquals("expected 3*2*2 = 12 values from offset 0, got 11", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> encoder.encodeChw(new float[12], 1, 2, 2, 3));
            assertThrows(IllegalArgumentException.class, () -> encoder.encodeChw(new float[8], 0, 2, 2, 2));
            assertThrows(IllegalArgumentException.class, () -> encoder.encodeHwc(new float[11], 0, 2, 2, 3));
            assertThrows(IllegalArgumentException.class, () -> encoder.encodeHwc(new float[12], 1, 2, 2, 3));
        }
    }

    @Test
    void rejectsBadShapes() {
        try (PngEncoder encoder = new PngEncoder()) {
            assertThrows(IllegalArgumentException.class, () -> encoder.encode(new byte[8], 2, 2, 2));
            assertThrows(IllegalArgumentException.class, () -> encoder.encode(new byte[11], 2, 2, 3));
            assertThrows(IllegalArgumentException.class, () -> encoder.encode(new byte[0], 0, 2, 3));
            assertThrows(IllegalArgumentException.class, () -> encoder.encode(new byte[12], 1, 2, 2, 3));
        }
        assertThrows(IllegalArgumentException.class, () -> new PngEncoder(1, 3, 0));
    }

    private static byte[] filled(int n, byte v) {
        byte[] b = new byte[n];
        Arrays.fill(b, v);
        return b;
    }
}
