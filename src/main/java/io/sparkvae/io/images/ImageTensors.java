package io.sparkvae.io.images;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
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

    /**
     * The values of an array in C order as floats. A float array whose buffer holds exactly its elements is read
     * from the buffer in one bulk copy, and a rank-4 one whose strides are not C's (the decoders' outputs are NCHW
     * views of NHWC buffers, strides [h*w*c, 1, w*c, c]) is then put in C order here, in Java: through
     * {@code Nd4j.toFlattened} that reordering took 30-36 us per 32x32 image in the sampling job, three times the
     * PNG's time. Anything else is flattened by ND4J first.
     */
    public static float[] values(INDArray a) {
        float[] raw = wholeBuffer(a);
        if (raw != null) {
            if (a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a)) {
                return raw;
            }
            if (a.rank() == 4 && positive(a.stride())) {
                return gather4(raw, a.shape(), a.stride());
            }
        }
        INDArray dense = Nd4j.toFlattened('c', a.castTo(DataType.FLOAT));
        float[] values = new float[Math.toIntExact(dense.length())];
        dense.data().asNioFloat().get(values);
        return values;
    }

    /**
     * The values of an {@code [n, c, h, w]} batch with each image interleaved ({@code [n, h, w, c]} in C order),
     * as a PNG holds its pixels. The decoders' outputs are NCHW views of NHWC buffers: those are one bulk copy.
     * Any other batch is put in that order here.
     */
    public static float[] hwcValues(INDArray nchw) {
        if (nchw.rank() != 4) {
            throw new IllegalArgumentException("expected an [n, c, h, w] batch, got shape "
                    + java.util.Arrays.toString(nchw.shape()));
        }
        long c = nchw.size(1);
        long h = nchw.size(2);
        long w = nchw.size(3);
        float[] raw = java.util.Arrays.equals(nchw.stride(), new long[] {h * w * c, 1, w * c, c})
                ? wholeBuffer(nchw) : null;
        if (raw != null) {
            return raw;
        }
        float[] planes = values(nchw);
        // the planes ([n, c, h, w] in C order) gathered as [n, h, w, c]
        return gather4(planes, new long[] {nchw.size(0), h, w, c}, new long[] {c * h * w, w, 1, h * w});
    }

    /**
     * A float array's whole buffer in one bulk copy, when the buffer holds exactly its elements (in whatever
     * order its strides give), else null.
     */
    private static float[] wholeBuffer(INDArray a) {
        if (a.dataType() != DataType.FLOAT || a.offset() != 0 || a.data().length() != a.length()) {
            return null;
        }
        float[] raw = new float[Math.toIntExact(a.length())];
        a.data().asNioFloat().get(raw);
        return raw;
    }

    private static boolean positive(long[] strides) {
        for (long s : strides) {
            if (s <= 0) {
                return false;
            }
        }
        return true;
    }

    /** The elements of a rank-4 array with these strides over {@code raw}, in C order. */
    private static float[] gather4(float[] raw, long[] shape, long[] stride) {
        int n0 = (int) shape[0], n1 = (int) shape[1], n2 = (int) shape[2], n3 = (int) shape[3];
        int s0 = (int) stride[0], s1 = (int) stride[1], s2 = (int) stride[2], s3 = (int) stride[3];
        float[] out = new float[raw.length];
        int k = 0;
        for (int i0 = 0; i0 < n0; i0++) {
            for (int i1 = 0; i1 < n1; i1++) {
                for (int i2 = 0; i2 < n2; i2++) {
                    int at = i0 * s0 + i1 * s1 + i2 * s2;
                    for (int i3 = 0; i3 < n3; i3++, at += s3) {
                        out[k++] = raw[at];
                    }
                }
            }
        }
        return out;
    }

    static byte toByte(float v) {
        // round half up by truncation (NaN casts to 0): Math.round's exact-rounding path took a tenth of the
        // sampling job's time; the two differ only where v * 255 lies within a float's rounding of k + 0.5
        int i = (int) (v * 255f + 0.5f);
        return (byte) (i <= 0 ? 0 : i > 255 ? 255 : i);
    }
}
