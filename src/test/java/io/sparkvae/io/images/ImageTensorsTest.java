package io.sparkvae.io.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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

    @Test
    void valuesOfViewsAreTheElementsInCOrder() {
        float[] data = new float[2 * 3 * 4];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        INDArray base = Nd4j.create(data, new long[] {2, 3, 4}, 'c');
        // a view over the whole buffer (what a decoder's output is): read straight from it
        INDArray whole = base.reshape('c', 6, 4);
        assertTrue(whole.isView() || whole.data() == base.data());
        assertArrayEquals(data, ImageTensors.values(whole));
        // a view at an offset, and one with other strides: their own elements, in C order
        INDArray second = base.get(NDArrayIndex.point(1),
                NDArrayIndex.all(), NDArrayIndex.all());
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 12, 24), ImageTensors.values(second));
        INDArray permuted = base.permute(0, 2, 1); // [2, 4, 3]
        float[] expected = new float[24];
        for (int a = 0, k = 0; a < 2; a++) {
            for (int b = 0; b < 4; b++) {
                for (int c = 0; c < 3; c++) {
                    expected[k++] = data[a * 12 + c * 4 + b];
                }
            }
        }
        assertArrayEquals(expected, ImageTensors.values(permuted));
        assertArrayEquals(data, ImageTensors.values(base.castTo(DataType.DOUBLE)));
    }

    @Test
    void valuesOfAnNchwViewOfAnNhwcBufferAreInNchwOrder() {
        float[] nhwc = randomValues(3, 2 * 4 * 5 * 3);
        INDArray view = decoderLikeOutput(nhwc);
        assertArrayEquals(new long[] {60, 1, 15, 3}, view.stride());
        float[] expected = new float[nhwc.length];
        for (int n = 0, k = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < 4; h++) {
                    for (int w = 0; w < 5; w++) {
                        expected[k++] = nhwc[((n * 4 + h) * 5 + w) * 3 + c];
                    }
                }
            }
        }
        assertArrayEquals(expected, ImageTensors.values(view));
        assertArrayEquals(expected, ImageTensors.values(view.dup('c')));
        assertArrayEquals(expected, ImageTensors.values(view.dup('f')));
    }

    @Test
    void hwcValuesInterleaveEachImageWhateverTheLayout() {
        float[] nhwc = randomValues(4, 2 * 4 * 5 * 3);
        INDArray view = decoderLikeOutput(nhwc);
        assertArrayEquals(nhwc, ImageTensors.hwcValues(view));
        assertArrayEquals(nhwc, ImageTensors.hwcValues(view.dup('c'))); // planes
        assertArrayEquals(nhwc, ImageTensors.hwcValues(view.dup('f')));
        assertArrayEquals(nhwc, ImageTensors.hwcValues(view.castTo(DataType.DOUBLE)));
        // and the PNG bytes agree with the byte path
        byte[] first = ImageTensors.toHwcBytes(view, 0);
        float[] hwc = ImageTensors.hwcValues(view);
        for (int i = 0; i < first.length; i++) {
            assertEquals(first[i], ImageTensors.toByte(hwc[i]));
        }
        assertThrows(IllegalArgumentException.class, () -> ImageTensors.hwcValues(Nd4j.create(DataType.FLOAT, 2, 3)));
    }

    /** As a decoder's output: a [2, 3, 4, 5] (n, c, h, w) view of these values as a [2, 4, 5, 3] NHWC buffer. */
    private static INDArray decoderLikeOutput(float[] nhwc) {
        return Nd4j.create(nhwc, new long[] {2, 4, 5, 3}, 'c').permute(0, 3, 1, 2);
    }

    private static float[] randomValues(long seed, int n) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextFloat();
        }
        return values;
    }
}
