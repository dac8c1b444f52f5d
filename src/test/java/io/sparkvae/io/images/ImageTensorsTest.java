package io.sparkvae.io.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImageTensorsTest {

    @Test
    void batchIsFloatNchwScaledToUnitRange() {
        byte[] rgb = PixelCodecTest.distinctRgb(); // h=2, w=3
        INDArray batch = ImageTensors.toBatch(List.of(new byte[18], rgb), 2, 3, 3);
        assertArrayEquals(new long[] {2, 3, 2, 3}, batch.shape());
        assertEquals(DataType.FLOAT, batch.dataType());
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                for (int c = 0; c < 3; c++) {
                    float expected = (rgb[(y * 3 + x) * 3 + c] & 0xFF) / 255f;
                    assertEquals(expected, batch.getFloat(1, c, y, x), 1e-7f);
                    assertEquals(0f, batch.getFloat(0, c, y, x));
                }
            }
        }
    }

    @Test
    void bytesToBatchToBytesIsIdentity() {
        Random random = new Random(3);
        List<byte[]> images = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            byte[] img = new byte[4 * 5 * 3];
            random.nextBytes(img);
            images.add(img);
        }
        INDArray batch = ImageTensors.toBatch(images, 4, 5, 3);
        for (int n = 0; n < images.size(); n++) {
            assertArrayEquals(images.get(n), ImageTensors.toHwcBytes(batch, n));
        }
        List<byte[]> all = ImageTensors.toHwcBytes(batch);
        assertArrayEquals(images.get(4), all.get(4));
        // a [C, H, W] image and a double-precision batch also convert
        assertArrayEquals(images.get(2), ImageTensors.toHwcBytes(batch.slice(2), 0));
        assertArrayEquals(images.get(1), ImageTensors.toHwcBytes(batch.castTo(DataType.DOUBLE), 1));
    }

    @Test
    void grayscaleRoundTrips() {
        byte[] gray = {1, 2, 3, 4, (byte) 250, (byte) 255};
        INDArray batch = ImageTensors.toBatch(List.of(gray), 2, 3, 1);
        assertArrayEquals(new long[] {1, 1, 2, 3}, batch.shape());
        assertArrayEquals(gray, ImageTensors.toHwcBytes(batch, 0));
    }

    @Test
    void valuesAreRoundedAndClamped() {
        INDArray one = Nd4j.create(new float[] {-0.5f, 1.7f, 0.5f, Float.NaN, 0.0019f, 0.0021f},
                new long[] {1, 1, 2, 3}, 'c');
        assertArrayEquals(new byte[] {0, (byte) 255, (byte) 128, 0, 0, 1}, ImageTensors.toHwcBytes(one, 0));
    }
}
