package io.sparkvae.io.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContactSheetTest {

    private static List<byte[]> solidImages(int count, int h, int w) {
        List<byte[]> images = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            byte[] img = new byte[h * w * 3];
            for (int p = 0; p < h * w; p++) {
                img[3 * p] = (byte) (10 * n);
                img[3 * p + 1] = (byte) p;
                img[3 * p + 2] = (byte) 200;
            }
            images.add(img);
        }
        return images;
    }

    @Test
    void gridHasExpectedSizeAndPixels() {
        List<byte[]> images = solidImages(7, 4, 5);
        BufferedImage sheet = PixelCodec.decodePng(ContactSheet.gridPng(images, 4, 5, 3, 3, 2, 1));
        // 3 columns x 3 rows of 10x8 cells with 1-pixel padding
        assertEquals(3 * 10 + 4, sheet.getWidth());
        assertEquals(3 * 8 + 4, sheet.getHeight());
        // image 5 is row 1, column 2; its pixel (x=3, y=2) covers sheet (1 + 2*11 + 6 .. +1, 1 + 1*9 + 4 .. +1)
        int expected = (50 << 16) | ((2 * 5 + 3) << 8) | 200;
        for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
                assertEquals(expected, sheet.getRGB(1 + 2 * 11 + 6 + dx, 1 + 9 + 4 + dy) & 0xFFFFFF);
            }
        }
        assertEquals(ContactSheet.PADDING_RGB, sheet.getRGB(0, 0) & 0xFFFFFF);
        // the unused last cell is padding colour
        assertEquals(ContactSheet.PADDING_RGB, sheet.getRGB(sheet.getWidth() - 3, sheet.getHeight() - 3) & 0xFFFFFF);
    }

    @Test
    void grayscaleGrid() {
        byte[] gray = {0, (byte) 100, (byte) 200, (byte) 255};
        BufferedImage sheet = PixelCodec.decodePng(ContactSheet.gridPng(List.of(gray), 2, 2, 1, 4, 3, 0));
        assertEquals(6, sheet.getWidth());
        assertEquals(6, sheet.getHeight());
        assertEquals(0xC8C8C8, sheet.getRGB(1, 4) & 0xFFFFFF);
    }

    @Test
    void pairsShowOriginalBesideReconstruction() {
        List<byte[]> originals = solidImages(5, 32, 32);
        List<byte[]> recons = solidImages(5, 32, 32);
        for (byte[] r : recons) {
            r[2] = (byte) 17; // blue of pixel (0, 0) differs in reconstructions
        }
        int scale = 3;
        ContactSheet.Layout l = ContactSheet.pairsLayout(5, 32, 32, 2, scale);
        BufferedImage sheet = PixelCodec.decodePng(ContactSheet.pairsPng(originals, recons, 32, 32, 3, 2, scale));
        assertEquals(l.width(), sheet.getWidth());
        assertEquals(l.height(), sheet.getHeight());
        assertEquals(2 * (2 * 96 + 1) + 3 * l.gap(), sheet.getWidth());
        // pair 3 sits in row 1, column 1
        int x = l.pairX(1);
        int y = l.header() + l.gap() + (96 + l.gap());
        assertEquals((30 << 16) | 200, sheet.getRGB(x + 1, y + 1) & 0xFFFFFF);
        assertEquals((30 << 16) | 17, sheet.getRGB(x + 96 + 1 + 1, y + 1) & 0xFFFFFF);
        // pixel (x=5, y=1) of original 3
        assertEquals((30 << 16) | ((32 + 5) << 8) | 200, sheet.getRGB(x + 5 * scale, y + scale) & 0xFFFFFF);
    }

    @Test
    void rejectsMismatchedInputs() {
        assertThrows(IllegalArgumentException.class,
                () -> ContactSheet.pairsPng(solidImages(2, 4, 4), solidImages(1, 4, 4), 4, 4, 3, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> ContactSheet.gridPng(List.of(), 4, 4, 3, 2, 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> ContactSheet.gridPng(solidImages(1, 4, 4), 4, 5, 3, 2, 1, 1));
    }
}
