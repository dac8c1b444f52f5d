package io.sparkvae.io.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import org.junit.jupiter.api.Test;

class PixelCodecTest {

    /** A 2x3 (h x w) RGB image with every byte distinct. */
    static byte[] distinctRgb() {
        byte[] b = new byte[2 * 3 * 3];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 13 + 7);
        }
        return b;
    }

    @Test
    void rgbRoundTripsThroughBufferedImageAndPng() {
        byte[] rgb = distinctRgb();
        BufferedImage image = PixelCodec.toBufferedImage(rgb, 2, 3, 3);
        assertEquals(3, image.getWidth());
        assertEquals(2, image.getHeight());
        // pixel (x=1, y=0) is bytes 3..5, in RGB order
        int p = image.getRGB(1, 0);
        assertEquals(rgb[3] & 0xFF, (p >> 16) & 0xFF);
        assertEquals(rgb[4] & 0xFF, (p >> 8) & 0xFF);
        assertEquals(rgb[5] & 0xFF, p & 0xFF);
        assertArrayEquals(rgb, PixelCodec.fromBufferedImage(image));
        assertArrayEquals(rgb, PixelCodec.fromBufferedImage(PixelCodec.decodePng(PixelCodec.encodePng(rgb, 2, 3, 3))));
    }

    @Test
    void grayIsReplicatedIntoRgbWithoutGammaChange() {
        byte[] gray = {0, 50, (byte) 128, (byte) 200, (byte) 255, 17};
        BufferedImage decoded = PixelCodec.decodePng(PixelCodec.encodePng(gray, 2, 3, 1));
        byte[] rgb = PixelCodec.fromBufferedImage(decoded);
        for (int i = 0; i < gray.length; i++) {
            assertEquals(gray[i], rgb[3 * i]);
            assertEquals(gray[i], rgb[3 * i + 1]);
            assertEquals(gray[i], rgb[3 * i + 2]);
        }
    }

    @Test
    void otherImageTypesConvertToRgb() {
        BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0xFF102030);
        argb.setRGB(1, 0, 0xFFA0B0C0);
        assertArrayEquals(new byte[] {0x10, 0x20, 0x30, (byte) 0xA0, (byte) 0xB0, (byte) 0xC0},
                PixelCodec.fromBufferedImage(argb));

        IndexColorModel palette = new IndexColorModel(2, 2, new byte[] {0, (byte) 255}, new byte[] {0, 0},
                new byte[] {(byte) 255, 0});
        BufferedImage indexed = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY, palette);
        indexed.getRaster().setSample(1, 0, 0, 1);
        assertArrayEquals(new byte[] {0, 0, (byte) 255, (byte) 255, 0, 0}, PixelCodec.fromBufferedImage(indexed));
    }

    @Test
    void rejectsWrongShapes() {
        assertThrows(IllegalArgumentException.class, () -> PixelCodec.toBufferedImage(new byte[5], 2, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> PixelCodec.encodePng(new byte[8], 2, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> PixelCodec.decodePng(new byte[] {1, 2, 3}));
    }
}
