package io.sparkvae.io.images;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Conversions between raw uint8 HWC images and float NCHW ND4J tensors with values in [0, 1]. */
public final class ImageTensors {

    private ImageTensors() {
    }

    /** Stacks HWC uint8 images into one float32 {@code [N, C, H, W]} array, each value {@code byte / 255}. */
    public static INDArray toBatch(List<byte[]> hwcImages, int h, int w, int c) {
        if (hwcImages.isEmpty()) {
            throw new IllegalArgumentException("cannot make a batch of zero images");
        }
        int plane = h * w;
        int perImage = plane * c;
        float[] data = new float[hwcImages.size() * perImage];
        float inv = 1f / 255f;
        for (int n = 0; n < hwcImages.size(); n++) {
            byte[] img = hwcImages.get(n);
            PixelCodec.checkShape(img, h, w, c);
            int base = n * perImage;
            for (int p = 0, src = 0; p < plane; p++) {
                for (int ch = 0; ch < c; ch++, src++) {
                    data[base + ch * plane + p] = (img[src] & 0xFF) * inv;
                }
            }
        }
        return Nd4j.create(data, new long[] {hwcImages.size(), c, h, w}, 'c');
    }

    /**
     * Image {@code index} of an {@code [N, C, H, W]} batch (or the single image of a {@code [C, H, W]} array, index
     * 0) as uint8 HWC bytes: {@code round(value * 255)} clamped to [0, 255]; NaN becomes 0.
     */
    public static byte[] toHwcBytes(INDArray nchw, int index) {
        INDArray one;
        if (nchw.rank() == 4) {
            if (index < 0 || index >= nchw.size(0)) {
                throw new IndexOutOfBoundsException("image index " + index + " outside batch of " + nchw.size(0));
            }
            one = nchw.get(NDArrayIndex.point(index), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
        } else if (nchw.rank() == 3 && index == 0) {
            one = nchw;
        } else {
            throw new IllegalArgumentException("expected an [N, C, H, W] batch or a [C, H, W] image (index 0), got shape "
                    + java.util.Arrays.toString(nchw.shape()) + " and index " + index);
        }
        int c = (int) one.size(0);
        int h = (int) one.size(1);
        int w = (int) one.size(2);
        float[] values = Nd4j.toFlattened('c', one).toFloatVector();
        return toHwc(values, 0, h * w, c);
    }

    /** The CHW image at {@code values[base ..]} (planes of {@code plane} values) as uint8 HWC bytes. */
    private static byte[] toHwc(float[] values, int base, int plane, int c) {
        byte[] hwc = new byte[plane * c];
        if (c == 3) {
            int r = base;
            int g = base + plane;
            int b = base + 2 * plane;
            for (int p = 0, dst = 0; p < plane; p++, dst += 3) {
                hwc[dst] = toByte(values[r + p]);
                hwc[dst + 1] = toByte(values[g + p]);
                hwc[dst + 2] = toByte(values[b + p]);
            }
            return hwc;
        }
        for (int ch = 0; ch < c; ch++) {
            int src = base + ch * plane;
            for (int p = 0, dst = ch; p < plane; p++, dst += c) {
                hwc[dst] = toByte(values[src + p]);
            }
        }
        return hwc;
    }

    /** Every image of an {@code [N, C, H, W]} batch as uint8 HWC bytes. */
    public static List<byte[]> toHwcBytes(INDArray batch) {
        if (batch.rank() != 4) {
            throw new IllegalArgumentException("expected an [N, C, H, W] batch, got rank " + batch.rank());
        }
        int n = (int) batch.size(0);
        int c = (int) batch.size(1);
        int plane = (int) (batch.size(2) * batch.size(3));
        int perImage = plane * c;
        float[] values = values(batch);
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(toHwc(values, i * perImage, plane, c));
        }
        return out;
    }

    /** The values of an array in C order as floats, in one bulk copy (no view and copy per image). */
    public static float[] values(INDArray a) {
        INDArray dense = a.dataType() == DataType.FLOAT && a.ordering() == 'c' && !a.isView()
                && a.data().length() == a.length() ? a : Nd4j.toFlattened('c', a.castTo(DataType.FLOAT));
        float[] values = new float[Math.toIntExact(dense.length())];
        dense.data().asNioFloat().get(values);
        return values;
    }

    static byte toByte(float v) {
        // round half up by truncation (NaN casts to 0): Math.round's exact-rounding path took a tenth of the
        // sampling job's time; the two differ only where v * 255 lies within a float's rounding of k + 0.5
        int i = (int) (v * 255f + 0.5f);
        return (byte) (i <= 0 ? 0 : i > 255 ? 255 : i);
    }
}
