package io.sparkvae.io.images;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Conversions between raw uint8 HWC pixel bytes, {@link BufferedImage}s and PNG bytes. */
public final class PixelCodec {

    static {
        ensureHeadless();
    }

    private PixelCodec() {
    }

    /**
     * Wraps raw pixels in a new image: {@code TYPE_3BYTE_BGR} for {@code c = 3} (bytes in RGB order),
     * {@code TYPE_BYTE_GRAY} for {@code c = 1}. The bytes are copied.
     */
    public static BufferedImage toBufferedImage(byte[] hwc, int h, int w, int c) {
        checkShape(hwc, h, w, c);
        if (c == 1) {
            BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            byte[] dst = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            System.arraycopy(hwc, 0, dst, 0, hwc.length);
            return image;
        }
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < hwc.length; i += 3) {
            dst[i] = hwc[i + 2];
            dst[i + 1] = hwc[i + 1];
            dst[i + 2] = hwc[i];
        }
        return image;
    }

    /**
     * Reads any image as RGB bytes in HWC order (length h*w*3). Grayscale is replicated into the three channels
     * from its raw samples (no gamma conversion); palette and other types go through their colour model; alpha is
     * dropped.
     */
    public static byte[] fromBufferedImage(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] hwc = new byte[h * w * 3];
        Raster raster = image.getRaster();
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR && raster.getDataBuffer() instanceof DataBufferByte db
                && raster.getParent() == null) {
            byte[] src = db.getData();
            for (int i = 0; i < hwc.length; i += 3) {
                hwc[i] = src[i + 2];
                hwc[i + 1] = src[i + 1];
                hwc[i + 2] = src[i];
            }
            return hwc;
        }
        if (isPlainGray(image)) {
            int bits = image.getColorModel().getComponentSize(0);
            int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            for (int i = 0, o = 0; i < samples.length; i++, o += 3) {
                int v = bits > 8 ? samples[i] >>> (bits - 8) : samples[i] * 255 / ((1 << bits) - 1);
                hwc[o] = hwc[o + 1] = hwc[o + 2] = (byte) v;
            }
            return hwc;
        }
        return argbToHwc(image.getRGB(0, 0, w, h, null, 0, w));
    }

    /** Packed (A)RGB ints, one per pixel in raster order, as HWC RGB bytes. */
    public static byte[] argbToHwc(int[] argb) {
        byte[] hwc = new byte[argb.length * 3];
        for (int i = 0, o = 0; i < argb.length; i++, o += 3) {
            int p = argb[i];
            hwc[o] = (byte) (p >>> 16);
            hwc[o + 1] = (byte) (p >>> 8);
            hwc[o + 2] = (byte) p;
        }
        return hwc;
    }

    /**
     * Encodes raw HWC pixels ({@code c} = 3 RGB or 1 gray) as PNG with {@link PngEncoder}. To encode many images,
     * keep one {@link PngEncoder} and reuse it.
     */
    public static byte[] encodePng(byte[] hwc, int h, int w, int c) {
        checkShape(hwc, h, w, c);
        try (PngEncoder encoder = new PngEncoder()) {
            return encoder.encode(hwc, h, w, c);
        }
    }

    /** Decodes PNG (or any format ImageIO reads) bytes; fails with a clear message on unreadable input. */
    public static BufferedImage decodePng(byte[] png) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            if (image == null) {
                throw new IllegalArgumentException("not a readable image (" + png.length + " bytes)");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException("could not decode image of " + png.length + " bytes", e);
        }
    }

    /** Writes an image as PNG bytes. */
    static byte[] writePng(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024 + image.getWidth() * image.getHeight());
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer for image type " + image.getType());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode PNG", e);
        }
    }

    static void checkShape(byte[] hwc, int h, int w, int c) {
        if (h <= 0 || w <= 0) {
            throw new IllegalArgumentException("image height and width must be positive, got " + h + "x" + w);
        }
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("channels must be 1 (gray) or 3 (RGB), got " + c);
        }
        if (hwc == null || hwc.length != h * w * c) {
            throw new IllegalArgumentException("expected " + h + "*" + w + "*" + c + " = " + h * w * c
                    + " pixel bytes, got " + (hwc == null ? "null" : hwc.length));
        }
    }

    /** Java2D on executors and CI has no display: make AWT headless unless the user chose otherwise. */
    static void ensureHeadless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static boolean isPlainGray(BufferedImage image) {
        return image.getColorModel() instanceof ComponentColorModel cm
                && cm.getNumComponents() == 1 && image.getRaster().getNumBands() == 1
                && cm.getComponentSize(0) <= 16;
    }
}
