package io.sparkvae.data.celeba;

import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns one CelebA JPEG (178x218 in {@code img_align_celeba}) into the model's input: a centre crop of
 * {@code cropSize x cropSize}, area-averaged down to {@code outputSize x outputSize}, as raw uint8 HWC RGB.
 *
 * <p>Why it is this strict and this specific:
 * <ul>
 *   <li><b>No silent damage.</b> ImageIO decodes a truncated JPEG with only a <em>warning</em> and fills the
 *       missing rows with grey; such an image would train the model on garbage. Any warning from the JPEG
 *       reader rejects the image ({@code "truncated or corrupt JPEG: ..."}), as do unreadable bytes, empty
 *       files and images smaller than the crop. Every rejection is a {@link RejectedImageException} whose
 *       reason tells the data's owner what is wrong with the file.</li>
 *   <li><b>Area averaging, never nearest neighbour.</b> 140 to 64 is a ratio of 2.1875, so each output pixel
 *       covers fractions of source pixels; the box filter weights each source pixel by exactly the part of it
 *       the output pixel covers (separable: rows, then columns). Weights are exact integers (overlaps are whole
 *       multiples of 1/output of a source pixel) and the sum is divided and rounded half up once, at the end:
 *       the output is the exactly rounded area mean, with no precision lost between the passes.</li>
 *   <li><b>Colour models seen in the wild.</b> Grayscale JPEGs are replicated into R=G=B from their raw
 *       samples (no gamma change). Four-component JPEGs (CMYK, and YCCK as written by Photoshop) are read as
 *       raw rasters and converted here, see {@link #decode}. Anything else the JDK reader returns is drawn onto
 *       an RGB image by Java2D.</li>
 *   <li><b>Throughput.</b> Pixels are read from the rasters' byte arrays, never through {@code getRGB(x, y)};
 *       the reader and the scratch buffers are reused across calls.</li>
 * </ul>
 *
 * <p>Not thread-safe: one instance per thread (in Spark, one per partition). The instance is
 * {@link Serializable} so it can be shipped in a closure; its reader and buffers are transient and re-created
 * on first use.
 */
public final class CelebaImageDecoder implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The JDK's own reader: other plugins on the classpath (e.g. TwelveMonkeys) warn differently. */
  private static final String JDK_JPEG_READER = "com.sun.imageio.plugins.jpeg.JPEGImageReader";

  private final int cropSize;
  private final int outputSize;
  private final AreaTaps taps;

  private transient ImageReader reader;
  /** The first warning of the current decode, set by the reader's warning listener. */
  private transient String firstWarning;
  private transient byte[] cropRgb;
  private transient int[] rowSums;
  private transient long[] columnSums;

  /**
   * A decoder for centre crops of {@code cropSize} pixels resized to {@code outputSize} pixels. Both must be
   * at least 1 and the resize may only shrink ({@code outputSize <= cropSize}): enlarging by area averaging
   * would only blur, and a CelebA pipeline that asks for it has a configuration error.
   */
  public CelebaImageDecoder(int cropSize, int outputSize) {
    if (cropSize < 1 || outputSize < 1) {
      throw new IllegalArgumentException("crop size and output size must be at least 1, got crop "
          + cropSize + " and output " + outputSize);
    }
    if (outputSize > cropSize) {
      throw new IllegalArgumentException("output size " + outputSize + " is larger than the crop size "
          + cropSize + ": the decoder only shrinks");
    }
    this.cropSize = cropSize;
    this.outputSize = outputSize;
    this.taps = new AreaTaps(cropSize, outputSize);
  }

  /** The side of the square centre crop taken from each image, in source pixels. */
  public int cropSize() {
    return cropSize;
  }

  /** The side of the square output image, in pixels. */
  public int outputSize() {
    return outputSize;
  }

  /**
   * Decodes JPEG bytes, converts to RGB, takes the centre {@code cropSize x cropSize} square (origin
   * {@code ((w - crop) / 2, (h - crop) / 2)}, integer division: (19, 39) for 178x218 and 140) and area-resizes
   * it to {@code outputSize x outputSize}.
   *
   * <p>Four-component JPEGs are decoded with {@code readRaster}, which returns the stored samples without any
   * colour conversion, and are interpreted as libjpeg does: with an Adobe APP14 marker of transform 0, or
   * without an Adobe marker, the samples are CMYK; with any other Adobe transform they are YCCK. Following
   * Adobe's convention (which libjpeg, the JDK and TwelveMonkeys all assume), stored CMYK is inverted, i.e.
   * a sample s means ink C = 255 - s. YCCK is first turned into that inverted CMYK as libjpeg does
   * (C' = 255 - R(Y,Cb,Cr) with the JFIF YCbCr-to-RGB equations, K unchanged). RGB is then the naive device
   * conversion R = 255 (1 - C)(1 - K) = C' K' / 255 (likewise G from M, B from Y). No ICC profile is applied
   * (the JDK has no CMYK profile and an embedded one is ignored), so colours are close to, but not exactly,
   * what a colour-managed viewer shows; the JDK's own {@code read()} of such files is worse (it treats the
   * RGB values as linear and brightens them).
   *
   * @return raw uint8 RGB in HWC order, length {@code outputSize * outputSize * 3}, a new array per call
   * @throws RejectedImageException if the bytes are empty, not a JPEG, truncated or corrupt (any reader
   *     warning), smaller than the crop, or in a colour model that cannot be converted to RGB
   */
  public byte[] decode(byte[] jpegBytes) throws RejectedImageException {
    if (jpegBytes == null || jpegBytes.length == 0) {
      throw new RejectedImageException("empty file (0 bytes)");
    }
    JpegLayout layout = JpegLayout.scan(jpegBytes);
    ImageReader r = reader();
    firstWarning = null;
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(jpegBytes))) {
      r.setInput(in, true, true);
      int w = r.getWidth(0);
      int h = r.getHeight(0);
      if (w < cropSize || h < cropSize) {
        throw new RejectedImageException("image " + w + "x" + h + " is smaller than the " + cropSize + "x"
            + cropSize + " crop");
      }
      int x0 = (w - cropSize) / 2;
      int y0 = (h - cropSize) / 2;
      byte[] crop = cropBuffer();
      if (layout.components() == 4) {
        Raster raster = r.readRaster(0, null);
        rejectIfWarned();
        try {
          fourComponentCropToRgb(raster, layout.isYcck(), x0, y0, cropSize, crop);
        } catch (RuntimeException e) {
          throw new RejectedImageException("CMYK JPEG could not be converted to RGB: " + detail(e), e);
        }
      } else {
        BufferedImage image = r.read(0, null);
        rejectIfWarned();
        cropToRgb(image, x0, y0, cropSize, crop);
      }
      return resize(crop);
    } catch (IOException | RuntimeException e) {
      // the reader's native state after a failure is not worth trusting: start afresh next time
      discardReader();
      if (firstWarning != null) {
        throw truncated(e);
      }
      throw new RejectedImageException("not a decodable JPEG (" + jpegBytes.length + " bytes): " + detail(e),
          e);
    } finally {
      if (reader != null) {
        reader.setInput(null);
      }
    }
  }

  private static String detail(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private void rejectIfWarned() throws RejectedImageException {
    if (firstWarning != null) {
      throw truncated(null);
    }
  }

  private RejectedImageException truncated(Throwable cause) {
    return new RejectedImageException("truncated or corrupt JPEG: " + firstWarning, cause);
  }

  private byte[] resize(byte[] crop) {
    if (rowSums == null) {
      rowSums = new int[cropSize * outputSize * 3];
      columnSums = new long[outputSize * 3];
    }
    byte[] out = new byte[outputSize * outputSize * 3];
    areaResize(crop, cropSize, cropSize, taps, taps, rowSums, columnSums, out);
    return out;
  }

  private byte[] cropBuffer() {
    if (cropRgb == null) {
      cropRgb = new byte[cropSize * cropSize * 3];
    }
    return cropRgb;
  }

  private ImageReader reader() {
    if (reader == null) {
      ImageReader chosen = null;
      for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
        ImageReader candidate = it.next();
        if (chosen == null || (candidate.getClass().getName().equals(JDK_JPEG_READER)
            && !chosen.getClass().getName().equals(JDK_JPEG_READER))) {
          if (chosen != null) {
            chosen.dispose();
          }
          chosen = candidate;
        } else {
          candidate.dispose();
        }
      }
      if (chosen == null) {
        throw new IllegalStateException("this JVM has no ImageIO JPEG reader");
      }
      chosen.addIIOReadWarningListener((source, warning) -> {
        if (firstWarning == null) {
          firstWarning = warning;
        }
      });
      reader = chosen;
    }
    return reader;
  }

  private void discardReader() {
    if (reader != null) {
      reader.dispose();
      reader = null;
    }
  }

  /**
   * Copies the crop of a decoded image into {@code dst} as packed RGB. 8-bit sRGB and gray images are read
   * straight from their byte arrays (gray replicated, as its raw samples, into R, G and B); anything else is
   * first drawn onto an RGB image, which applies its colour model (alpha, if any, is composited over black).
   */
  static void cropToRgb(BufferedImage image, int x0, int y0, int size, byte[] dst) {
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    if (cm instanceof ComponentColorModel && !cm.hasAlpha() && isByteInterleaved(raster)) {
      ColorSpace cs = cm.getColorSpace();
      if (raster.getNumBands() == 3 && cs.isCS_sRGB()) {
        copyCrop(raster, x0, y0, size, new int[] {0, 1, 2}, dst);
        return;
      }
      if (raster.getNumBands() == 1 && cs.getType() == ColorSpace.TYPE_GRAY
          && cm.getComponentSize(0) == 8) {
        copyCrop(raster, x0, y0, size, new int[] {0, 0, 0}, dst);
        return;
      }
    }
    BufferedImage rgb = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = rgb.createGraphics();
    try {
      g.drawImage(image.getSubimage(x0, y0, size, size), 0, 0, null);
    } finally {
      g.dispose();
    }
    copyCrop(rgb.getRaster(), 0, 0, size, new int[] {0, 1, 2}, dst);
  }

  /** Copies a square of bands {@code bands[0..2]} of a byte-interleaved raster into packed RGB. */
  private static void copyCrop(Raster raster, int x0, int y0, int size, int[] bands, byte[] dst) {
    PixelInterleavedSampleModel sm = (PixelInterleavedSampleModel) raster.getSampleModel();
    byte[] data = ((DataBufferByte) raster.getDataBuffer()).getData();
    int[] bandOffsets = sm.getBandOffsets();
    int pixelStride = sm.getPixelStride();
    int r = bandOffsets[bands[0]];
    int g = bandOffsets[bands[1]];
    int b = bandOffsets[bands[2]];
    int o = 0;
    for (int y = 0; y < size; y++) {
      int i = pixelIndex(raster, x0, y0 + y);
      for (int x = 0; x < size; x++, i += pixelStride, o += 3) {
        dst[o] = data[i + r];
        dst[o + 1] = data[i + g];
        dst[o + 2] = data[i + b];
      }
    }
  }

  /**
   * Converts the crop of a raw four-band raster (stored CMYK or YCCK samples, see {@link #decode}) to packed
   * RGB in {@code dst}.
   */
  static void fourComponentCropToRgb(Raster raster, boolean ycck, int x0, int y0, int size, byte[] dst) {
    if (raster.getNumBands() != 4 || !isByteInterleaved(raster)) {
      throw new IllegalArgumentException("expected 4 interleaved 8-bit bands, the reader returned "
          + raster.getNumBands() + " bands in " + raster.getSampleModel().getClass().getSimpleName());
    }
    PixelInterleavedSampleModel sm = (PixelInterleavedSampleModel) raster.getSampleModel();
    byte[] data = ((DataBufferByte) raster.getDataBuffer()).getData();
    int[] off = sm.getBandOffsets();
    int pixelStride = sm.getPixelStride();
    int o = 0;
    for (int y = 0; y < size; y++) {
      int i = pixelIndex(raster, x0, y0 + y);
      for (int x = 0; x < size; x++, i += pixelStride, o += 3) {
        int c = data[i + off[0]] & 0xFF;
        int m = data[i + off[1]] & 0xFF;
        int yellow = data[i + off[2]] & 0xFF;
        int k = data[i + off[3]] & 0xFF;
        if (ycck) {
          // libjpeg's ycck_cmyk_convert: inverted C, M, Y = 255 - (JFIF YCbCr -> RGB); K passes through
          double luma = c;
          double cb = m - 128;
          double cr = yellow - 128;
          c = 255 - clamp(luma + 1.402 * cr);
          m = 255 - clamp(luma - 0.344136 * cb - 0.714136 * cr);
          yellow = 255 - clamp(luma + 1.772 * cb);
        }
        // inverted (Adobe) samples: R = 255 (1 - C)(1 - K) = c k / 255, rounded to nearest
        dst[o] = (byte) ((c * k + 127) / 255);
        dst[o + 1] = (byte) ((m * k + 127) / 255);
        dst[o + 2] = (byte) ((yellow * k + 127) / 255);
      }
    }
  }

  private static int clamp(double v) {
    long r = Math.round(v);
    return r < 0 ? 0 : r > 255 ? 255 : (int) r;
  }

  private static boolean isByteInterleaved(Raster raster) {
    return raster.getSampleModel() instanceof PixelInterleavedSampleModel
        && raster.getDataBuffer() instanceof DataBufferByte db && db.getNumBanks() == 1;
  }

  /** Index in the raster's byte array of the first sample of pixel (x, y), in raster coordinates. */
  private static int pixelIndex(Raster raster, int x, int y) {
    PixelInterleavedSampleModel sm = (PixelInterleavedSampleModel) raster.getSampleModel();
    int sx = x - raster.getSampleModelTranslateX();
    int sy = y - raster.getSampleModelTranslateY();
    return raster.getDataBuffer().getOffset() + sy * sm.getScanlineStride() + sx * sm.getPixelStride();
  }

  /**
   * Exact area-average resize of packed RGB ({@code w x h x 3}, HWC) to {@code outW x outH x 3}: each output
   * pixel is the mean of the source over the rectangle it covers, counting partly covered source pixels by
   * the covered fraction, rounded half up to uint8. Package-private so tests can check it on synthetic data.
   */
  static byte[] areaResize(byte[] rgb, int w, int h, int outW, int outH) {
    if (w < 1 || h < 1 || outW < 1 || outH < 1 || rgb.length != w * h * 3) {
      throw new IllegalArgumentException("bad resize " + w + "x" + h + " (" + rgb.length + " bytes) to "
          + outW + "x" + outH);
    }
    byte[] out = new byte[outW * outH * 3];
    areaResize(rgb, w, h, new AreaTaps(w, outW), new AreaTaps(h, outH), new int[h * outW * 3],
        new long[outW * 3], out);
    return out;
  }

  /**
   * The separable resize: every source row is reduced horizontally into {@code rowSums} (weighted by overlap
   * with weights summing to {@code w}), then rows are combined vertically (weights summing to {@code h}); the
   * total is divided by {@code w * h} once.
   */
  private static void areaResize(byte[] src, int w, int h, AreaTaps tx, AreaTaps ty, int[] rowSums,
      long[] acc, byte[] dst) {
    int outW = tx.out;
    int rowLen = outW * 3;
    for (int y = 0; y < h; y++) {
      int srcRow = y * w * 3;
      int sumRow = y * rowLen;
      for (int ox = 0; ox < outW; ox++) {
        int r = 0; // at most 255 * w: a row's weights sum to w
        int g = 0;
        int b = 0;
        int s = srcRow + tx.first[ox] * 3;
        for (int t = tx.start[ox], end = tx.start[ox + 1]; t < end; t++, s += 3) {
          int wt = tx.weight[t];
          r += wt * (src[s] & 0xFF);
          g += wt * (src[s + 1] & 0xFF);
          b += wt * (src[s + 2] & 0xFF);
        }
        int o = sumRow + ox * 3;
        rowSums[o] = r;
        rowSums[o + 1] = g;
        rowSums[o + 2] = b;
      }
    }
    long divisor = (long) w * h;
    long half = divisor / 2;
    for (int oy = 0; oy < ty.out; oy++) {
      Arrays.fill(acc, 0L);
      int row = ty.first[oy];
      for (int t = ty.start[oy], end = ty.start[oy + 1]; t < end; t++, row++) {
        long wt = ty.weight[t];
        int base = row * rowLen;
        for (int j = 0; j < rowLen; j++) {
          acc[j] += wt * rowSums[base + j];
        }
      }
      int o = oy * rowLen;
      for (int j = 0; j < rowLen; j++) {
        // w*h odd: an exact half is impossible; even: (s + half) / divisor rounds half up
        dst[o + j] = (byte) ((acc[j] + half) / divisor);
      }
    }
  }

  /**
   * Area-average weights along one axis, {@code in} source pixels to {@code out} output pixels. With source
   * coordinates multiplied by {@code out}, output pixel i covers [i*in, (i+1)*in) and source pixel j covers
   * [j*out, (j+1)*out), so every overlap is an exact integer and each output's weights sum to {@code in}.
   */
  static final class AreaTaps implements Serializable {
    private static final long serialVersionUID = 1L;
    final int in;
    final int out;
    /** First source pixel of output i. */
    final int[] first;
    /** Output i's weights are {@code weight[start[i] .. start[i + 1])}, for source pixels from first[i]. */
    final int[] start;
    final int[] weight;

    AreaTaps(int in, int out) {
      this.in = in;
      this.out = out;
      first = new int[out];
      start = new int[out + 1];
      int[] w = new int[out * (in / out + 2)];
      int n = 0;
      for (int i = 0; i < out; i++) {
        long lo = (long) i * in;
        long hi = lo + in;
        int j0 = (int) (lo / out);
        int j1 = (int) ((hi - 1) / out);
        first[i] = j0;
        start[i] = n;
        for (int j = j0; j <= j1; j++) {
          long overlap = Math.min(hi, (long) (j + 1) * out) - Math.max(lo, (long) j * out);
          if (n == w.length) {
            w = Arrays.copyOf(w, w.length * 2);
          }
          w[n++] = (int) overlap;
        }
      }
      start[out] = n;
      weight = Arrays.copyOf(w, n);
    }
  }

  /**
   * What the JPEG's markers say before ImageIO is asked: the number of components in the frame (SOFn) and
   * the Adobe APP14 transform (-1 when absent). ImageIO does not tell the raster reader's caller whether four
   * components are CMYK or YCCK; libjpeg decides from exactly these two markers, and so do we.
   */
  record JpegLayout(int components, int adobeTransform) {
    /** libjpeg's rule for four components: Adobe transform 0 or no Adobe marker means CMYK, else YCCK. */
    boolean isYcck() {
      return components == 4 && adobeTransform > 0;
    }

    /** Scans markers from SOI up to the first SOS; anything unparseable gives components -1. */
    static JpegLayout scan(byte[] b) {
      int components = -1;
      int transform = -1;
      if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
        return new JpegLayout(components, transform);
      }
      int p = 2;
      while (p + 1 < b.length) {
        if ((b[p] & 0xFF) != 0xFF) {
          p++; // stray byte between segments: libjpeg warns about it, the decode will reject
          continue;
        }
        int marker = b[p + 1] & 0xFF;
        p += 2;
        if (marker == 0xFF) {
          p--; // fill byte: the next 0xFF may start the marker
          continue;
        }
        if (marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
          continue; // standalone markers carry no length
        }
        if (marker == 0xD9 || marker == 0xDA || p + 1 >= b.length) {
          break; // EOI, or start of scan: all frame information has been seen
        }
        int length = ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
        boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
            && marker != 0xCC;
        if (sof && length >= 8 && p + 7 < b.length) {
          components = b[p + 7] & 0xFF;
        } else if (marker == 0xEE && length >= 14 && p + 13 < b.length && b[p + 2] == 'A'
            && b[p + 3] == 'd' && b[p + 4] == 'o' && b[p + 5] == 'b' && b[p + 6] == 'e') {
          transform = b[p + 13] & 0xFF;
        }
        if (length < 2) {
          break;
        }
        p += length;
      }
      return new JpegLayout(components, transform);
    }
  }
}
