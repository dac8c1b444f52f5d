package io.sparkvae.io.images;

import java.util.ArrayList;
import java.util.List;
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
        int plane = h * w;
        byte[] hwc = new byte[plane * c];
        for (int p = 0, dst = 0; p < plane; p++) {
            for (int ch = 0; ch < c; ch++, dst++) {
                hwc[dst] = toByte(values[ch * plane + p]);
            }
        }
        return hwc;
    }

    /** Every image of an {@code [N, C, H, W]} batch as uint8 HWC bytes. */
    public static List<byte[]> toHwcBytes(INDArray batch) {
        if (batch.rank() != 4) {
            throw new IllegalArgumentException("expected an [N, C, H, W] batch, got rank " + batch.rank());
        }
        List<byte[]> out = new ArrayList<>((int) batch.size(0));
        for (int n = 0; n < batch.size(0); n++) {
            out.add(toHwcBytes(batch, n));
        }
        return out;
    }

    static byte toByte(float v) {
        if (!(v > 0f)) {
            return 0; // negative or NaN
        }
        int i = Math.round(v * 255f);
        return (byte) (i > 255 ? 255 : i);
    }
}
