package io.sparkvae.data.celeba;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class CelebaImageDecoderTest {

  private static final Color BACKGROUND = new Color(40, 90, 160);
  private static final Color MAGENTA = new Color(255, 0, 255);
  private static final Color GREEN = new Color(0, 200, 0);

  private final CelebaImageDecoder decoder = new CelebaImageDecoder(140, 64);

  /**
   * 178x218: background everywhere, magenta only in margins outside the 140x140 crop at (19, 39), a green
   * 32x32 block inside it at source (48..79, 64..95). Every colour edge lies on a 16-pixel MCU boundary, so
   * JPEG keeps the flat blocks nearly exact (no ringing, no chroma bleeding into neighbouring blocks).
   */
  static BufferedImage blocks() {
    BufferedImage image = new BufferedImage(178, 218, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    g.setColor(BACKGROUND);
    g.fillRect(0, 0, 178, 218);
    g.setColor(MAGENTA);
    g.fillRect(0, 0, 178, 32);     // above the crop (crop rows 39..178)
    g.fillRect(0, 192, 178, 26);   // below it
    g.fillRect(0, 0, 16, 218);     // left of it (crop columns 19..158)
    g.fillRect(160, 0, 18, 218);   // right of it
    g.setColor(GREEN);
    g.fillRect(48, 64, 32, 32);
    g.dispose();
    return image;
  }

  @Test
  void rgbJpegDecodesToExpectedColoursWithTheCropInTheRightPlace() throws Exception {
    byte[] out = decoder.decode(CelebaFixture.rgbJpeg(blocks(), 0.95f));
    assertEquals(64 * 64 * 3, out.length);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        int[] p = pixel(out, 64, x, y);
        assertTrue(distance(p, MAGENTA) > 200, "magenta lies outside the crop, found at " + x + "," + y);
        if (insideGreen(x, y)) {
          assertTrue(distance(p, GREEN) <= 6, "green expected at " + x + "," + y + ": " + Arrays.toString(p));
        } else if (clearOfGreen(x, y)) {
          assertTrue(distance(p, BACKGROUND) <= 6, "background expected at " + x + "," + y + ": "
              + Arrays.toString(p));
        }
      }
    }
    // the block's left edge at crop x = 29 cuts output column 13 ([28.4375, 30.625)) at 73%: a real mix
    int[] edge = pixel(out, 64, 13, 18);
    assertTrue(edge[1] > BACKGROUND.getGreen() + 40 && edge[1] < GREEN.getGreen() - 20, Arrays.toString(edge));
  }

  @Test
  void decodeIsTheCentreCropOfImageIoPixelsAreaResized() throws Exception {
    BufferedImage picture = CelebaFixture.render(7L, 3);
    byte[] jpeg = CelebaFixture.rgbJpeg(picture, 0.95f);
    byte[] crop = crop(ImageIO.read(new ByteArrayInputStream(jpeg)), 19, 39, 140);
    // identity resize: exactly the crop at (19, 39) of what ImageIO decodes
    assertArrayEquals(crop, new CelebaImageDecoder(140, 140).decode(jpeg));
    // 140 -> 64: exactly the area resize of that crop
    assertArrayEquals(CelebaImageDecoder.areaResize(crop, 140, 140, 64, 64), decoder.decode(jpeg));
    // other crop sizes centre the same way: (178 - 100) / 2 = 39, (218 - 100) / 2 = 59
    assertArrayEquals(crop(ImageIO.read(new ByteArrayInputStream(jpeg)), 39, 59, 100),
        new CelebaImageDecoder(100, 100).decode(jpeg));
    // an odd margin rounds the origin down: (178 - 177) / 2 = 0, (218 - 177) / 2 = 20
    assertArrayEquals(crop(ImageIO.read(new ByteArrayInputStream(jpeg)), 0, 20, 177),
        new CelebaImageDecoder(177, 177).decode(jpeg));
  }

  @Test
  void areaResizeOfTwoByTwoBlocksIsTheirMean() {
    byte[] src = new byte[4 * 4 * 3];
    Random rnd = new Random(3);
    for (int i = 0; i < src.length; i++) {
      src[i] = (byte) rnd.nextInt(256);
    }
    byte[] out = CelebaImageDecoder.areaResize(src, 4, 4, 2, 2);
    for (int oy = 0; oy < 2; oy++) {
      for (int ox = 0; ox < 2; ox++) {
        for (int c = 0; c < 3; c++) {
          int sum = 0;
          for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
              sum += src[((2 * oy + dy) * 4 + 2 * ox + dx) * 3 + c] & 0xFF;
            }
          }
          assertEquals((sum + 2) / 4, out[(oy * 2 + ox) * 3 + c] & 0xFF, "sum " + sum); // half up
        }
      }
    }
    // ties round up: a block of 1, 2, 1, 2 averages 1.5
    byte[] tie = new byte[2 * 2 * 3];
    for (int i = 0; i < tie.length; i++) {
      tie[i] = (byte) ((i / 3) % 2 + 1);
    }
    assertArrayEquals(new byte[] {2, 2, 2}, CelebaImageDecoder.areaResize(tie, 2, 2, 1, 1));
  }

  @Test
  void areaResizeOf140To64CountsFractionalCoverage() {
    // vertical stripes: even columns 255, odd columns 0, in every channel
    byte[] stripes = new byte[140 * 140 * 3];
    for (int y = 0; y < 140; y++) {
      for (int x = 0; x < 140; x += 2) {
        Arrays.fill(stripes, (y * 140 + x) * 3, (y * 140 + x) * 3 + 3, (byte) 255);
      }
    }
    byte[] out = CelebaImageDecoder.areaResize(stripes, 140, 140, 64, 64);
    // By hand, the part of each output's 2.1875-pixel span covered by even (255) columns:
    // output 0 [0, 2.1875): column 0 whole + column 2 for 0.1875 = 1.1875 -> 255 * 1.1875 / 2.1875 = 138.4
    // output 1 [2.1875, 4.375): column 2 for 0.8125 + column 4 for 0.375 = 1.1875 -> 138.4 again
    // output 5 [10.9375, 13.125): column 10 for 0.0625 + column 12 whole = 1.0625 -> 123.9
    assertEquals(138, out[0] & 0xFF);
    assertEquals(138, out[3] & 0xFF);
    assertEquals(124, out[5 * 3] & 0xFF);
    // every output against 1/16-pixel supersampling: 2.1875 = 35/16, so each output is exactly 35 subsamples
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        int covered = 0;
        for (int s = 35 * x; s < 35 * (x + 1); s++) {
          covered += (s / 16) % 2 == 0 ? 1 : 0;
        }
        int expected = (int) Math.floor(255.0 * covered / 35 + 0.5);
        for (int c = 0; c < 3; c++) {
          assertEquals(expected, out[(y * 64 + x) * 3 + c] & 0xFF, "output " + x + "," + y);
        }
      }
    }
    // the same stripes turned horizontal resize the same way along the other axis
    byte[] rows = new byte[140 * 140 * 3];
    for (int y = 0; y < 140; y += 2) {
      Arrays.fill(rows, y * 140 * 3, (y + 1) * 140 * 3, (byte) 255);
    }
    byte[] outRows = CelebaImageDecoder.areaResize(rows, 140, 140, 64, 64);
    for (int y = 0; y < 64; y++) {
      assertEquals(out[y * 3] & 0xFF, outRows[y * 64 * 3 + 5] & 0xFF, "row " + y);
    }
  }

  @Test
  void areaResizeKeepsConstantsAndIsIdentityAtTheSameSize() {
    byte[] constant = new byte[140 * 140 * 3];
    for (int i = 0; i < constant.length; i += 3) {
      constant[i] = 17;
      constant[i + 1] = (byte) 200;
      constant[i + 2] = (byte) 255;
    }
    byte[] out = CelebaImageDecoder.areaResize(constant, 140, 140, 64, 64);
    for (int i = 0; i < out.length; i += 3) {
      assertEquals(17, out[i]);
      assertEquals(200, out[i + 1] & 0xFF);
      assertEquals(255, out[i + 2] & 0xFF);
    }
    byte[] noise = new byte[13 * 7 * 3];
    new Random(11).nextBytes(noise);
    assertArrayEquals(noise, CelebaImageDecoder.areaResize(noise, 13, 7, 13, 7));
    // non-square, different ratios per axis: 6x3 -> 2x1 averages 3x3 blocks
    byte[] ramp = new byte[3 * 6 * 3];
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 6; x++) {
        Arrays.fill(ramp, (y * 6 + x) * 3, (y * 6 + x) * 3 + 3, (byte) (10 * x + y));
      }
    }
    // left block: x 0..2 -> mean 10 + 1 = 11; right block: x 3..5 -> 40 + 1 = 41
    assertArrayEquals(new byte[] {11, 11, 11, 41, 41, 41}, CelebaImageDecoder.areaResize(ramp, 6, 3, 2, 1));
  }

  @Test
  void grayscaleJpegIsAcceptedWithEqualChannels() throws Exception {
    BufferedImage picture = blocks();
    byte[] out = decoder.decode(CelebaFixture.grayJpeg(picture, 0.95f));
    int greenLuma = CelebaFixture.luma(GREEN.getRGB());
    int backgroundLuma = CelebaFixture.luma(BACKGROUND.getRGB());
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        int[] p = pixel(out, 64, x, y);
        assertEquals(p[0], p[1]);
        assertEquals(p[0], p[2]);
      }
    }
    assertEquals(greenLuma, pixel(out, 64, 20, 20)[0], 3);
    assertEquals(backgroundLuma, pixel(out, 64, 50, 50)[0], 3);
  }

  @Test
  void adobeCmykJpegIsConvertedToItsRgbColours() throws Exception {
    byte[] jpeg = CelebaFixture.cmykJpeg(blocks(), 0.95f);
    assertEquals(new CelebaImageDecoder.JpegLayout(4, 0), CelebaImageDecoder.JpegLayout.scan(jpeg));
    assertBlockColours(decoder.decode(jpeg), 8);
    // what the conversion refuses (the decoder reports it as "CMYK JPEG could not be converted to RGB: ...")
    Raster threeBands = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 4, 4, 3, null);
    assertThrows(IllegalArgumentException.class,
        () -> CelebaImageDecoder.fourComponentCropToRgb(threeBands, false, 0, 0, 4, new byte[48]));
  }

  @Test
  void ycckJpegIsConvertedToItsRgbColours() throws Exception {
    byte[] jpeg = CelebaFixture.ycckJpeg(blocks(), 0.95f);
    assertEquals(new CelebaImageDecoder.JpegLayout(4, 2), CelebaImageDecoder.JpegLayout.scan(jpeg));
    assertBlockColours(decoder.decode(jpeg), 8);
  }

  @Test
  void fourComponentsWithoutAdobeMarkerAreInvertedCmykAsLibjpegAssumes() throws Exception {
    // stored (inverted) samples c' = 200, m' = 100, y' = 50, k' = 255 * 0.8 = 204
    WritableRaster raw = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 178, 218, 4, null);
    int[] px = {200, 100, 50, 204};
    for (int y = 0; y < 218; y++) {
      for (int x = 0; x < 178; x++) {
        raw.setPixel(x, y, px);
      }
    }
    byte[] jpeg = CelebaFixture.rawFourComponentJpeg(raw, 0.95f);
    assertEquals(new CelebaImageDecoder.JpegLayout(4, -1), CelebaImageDecoder.JpegLayout.scan(jpeg));
    int[] p = pixel(decoder.decode(jpeg), 64, 32, 32);
    // R = c' k' / 255 = 160, G = 80, B = 40
    assertEquals(160, p[0], 2);
    assertEquals(80, p[1], 2);
    assertEquals(40, p[2], 2);
  }

  @Test
  void truncatedJpegIsRejectedAsTruncated() {
    byte[] jpeg = CelebaFixture.rgbJpeg(CelebaFixture.render(1L, 1), 0.95f);
    byte[] cut = Arrays.copyOf(jpeg, (int) (jpeg.length * 0.6));
    RejectedImageException e = assertThrows(RejectedImageException.class, () -> decoder.decode(cut));
    assertTrue(e.reason().startsWith("truncated or corrupt JPEG: "), e.reason());
    assertTrue(e.reason().toLowerCase().contains("truncated"), e.reason());
    // also when the cut falls in the headers, where ImageIO throws after its warnings
    byte[] headersOnly = Arrays.copyOf(jpeg, 300);
    RejectedImageException early = assertThrows(RejectedImageException.class, () -> decoder.decode(headersOnly));
    assertTrue(early.reason().startsWith("truncated or corrupt JPEG: "), early.reason());
    // a CMYK file cut short is reported the same way
    byte[] cmyk = CelebaFixture.cmykJpeg(CelebaFixture.render(1L, 1), 0.95f);
    byte[] cmykCut = Arrays.copyOf(cmyk, (int) (cmyk.length * 0.6));
    RejectedImageException c = assertThrows(RejectedImageException.class, () -> decoder.decode(cmykCut));
    assertTrue(c.reason().startsWith("truncated or corrupt JPEG: "), c.reason());
  }

  @Test
  void garbageEmptyAndTooSmallInputsAreRejectedWithActionableReasons() {
    byte[] random = new byte[5000];
    new Random(1).nextBytes(random);
    RejectedImageException notJpeg = assertThrows(RejectedImageException.class, () -> decoder.decode(random));
    assertTrue(notJpeg.reason().startsWith("not a decodable JPEG (5000 bytes): "), notJpeg.reason());

    byte[] png = pngBytes(CelebaFixture.render(1L, 1));
    RejectedImageException pngReason = assertThrows(RejectedImageException.class, () -> decoder.decode(png));
    assertTrue(pngReason.reason().startsWith("not a decodable JPEG"), pngReason.reason());

    assertEquals("empty file (0 bytes)",
        assertThrows(RejectedImageException.class, () -> decoder.decode(new byte[0])).reason());
    assertEquals("empty file (0 bytes)",
        assertThrows(RejectedImageException.class, () -> decoder.decode(null)).reason());

    BufferedImage narrow = new BufferedImage(100, 218, BufferedImage.TYPE_3BYTE_BGR);
    assertEquals("image 100x218 is smaller than the 140x140 crop", assertThrows(RejectedImageException.class,
        () -> decoder.decode(CelebaFixture.rgbJpeg(narrow, 0.9f))).reason());
    BufferedImage flat = new BufferedImage(178, 139, BufferedImage.TYPE_3BYTE_BGR);
    assertEquals("image 178x139 is smaller than the 140x140 crop", assertThrows(RejectedImageException.class,
        () -> decoder.decode(CelebaFixture.rgbJpeg(flat, 0.9f))).reason());
  }

  @Test
  void corruptScanDataIsRejected() {
    byte[] jpeg = CelebaFixture.rgbJpeg(CelebaFixture.render(2L, 5), 0.95f);
    byte[] damaged = jpeg.clone();
    byte[] noise = new byte[damaged.length - 700];
    new Random(5).nextBytes(noise);
    System.arraycopy(noise, 0, damaged, 700, noise.length);
    RejectedImageException e = assertThrows(RejectedImageException.class, () -> decoder.decode(damaged));
    assertTrue(e.reason().startsWith("truncated or corrupt JPEG: ") || e.reason().startsWith("not a decodable"),
        e.reason());
  }

  @Test
  void oneInstanceKeepsDecodingAfterRejections() throws Exception {
    byte[] good = CelebaFixture.rgbJpeg(CelebaFixture.render(3L, 1), 0.95f);
    byte[] expected = decoder.decode(good);
    byte[] random = new byte[777];
    new Random(2).nextBytes(random);
    assertThrows(RejectedImageException.class, () -> decoder.decode(random));
    assertArrayEquals(expected, decoder.decode(good));
    assertThrows(RejectedImageException.class, () -> decoder.decode(Arrays.copyOf(good, good.length * 6 / 10)));
    assertArrayEquals(expected, decoder.decode(good));
    assertThrows(RejectedImageException.class,
        () -> decoder.decode(CelebaFixture.rgbJpeg(new BufferedImage(50, 50, BufferedImage.TYPE_3BYTE_BGR), 0.9f)));
    decoder.decode(CelebaFixture.cmykJpeg(CelebaFixture.render(3L, 1), 0.95f));
    assertArrayEquals(expected, decoder.decode(good));
    // the returned array is the caller's: a later decode must not overwrite it
    byte[] kept = decoder.decode(good);
    decoder.decode(CelebaFixture.rgbJpeg(CelebaFixture.render(3L, 2), 0.95f));
    assertArrayEquals(expected, kept);
  }

  @Test
  void survivesJavaSerializationAsSparkShipsIt() throws Exception {
    byte[] good = CelebaFixture.rgbJpeg(CelebaFixture.render(4L, 1), 0.95f);
    byte[] before = decoder.decode(good);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(decoder);
    }
    CelebaImageDecoder copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (CelebaImageDecoder) in.readObject();
    }
    assertEquals(140, copy.cropSize());
    assertEquals(64, copy.outputSize());
    assertArrayEquals(before, copy.decode(good));
  }

  @Test
  void otherColourModelsAreDrawnToRgb() {
    BufferedImage argb = new BufferedImage(4, 3, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(1, 1, 0xFF102030);
    argb.setRGB(2, 1, 0xFFA0B0C0);
    argb.setRGB(1, 2, 0x00FFFFFF); // fully transparent: composited over black
    byte[] dst = new byte[2 * 2 * 3];
    CelebaImageDecoder.cropToRgb(argb, 1, 1, 2, dst);
    assertArrayEquals(new byte[] {0x10, 0x20, 0x30, (byte) 0xA0, (byte) 0xB0, (byte) 0xC0, 0, 0, 0, 0, 0, 0},
        dst);
  }

  @Test
  void constructorRejectsImpossibleSizes() {
    assertThrows(IllegalArgumentException.class, () -> new CelebaImageDecoder(0, 0));
    assertThrows(IllegalArgumentException.class, () -> new CelebaImageDecoder(140, 0));
    assertThrows(IllegalArgumentException.class, () -> new CelebaImageDecoder(64, 65));
    assertEquals(1, new CelebaImageDecoder(1, 1).outputSize());
  }

  @Test
  void layoutScanFindsComponentsAndAdobeTransform() {
    BufferedImage picture = CelebaFixture.render(1L, 1);
    assertEquals(new CelebaImageDecoder.JpegLayout(3, -1),
        CelebaImageDecoder.JpegLayout.scan(CelebaFixture.rgbJpeg(picture, 0.9f)));
    assertEquals(new CelebaImageDecoder.JpegLayout(1, -1),
        CelebaImageDecoder.JpegLayout.scan(CelebaFixture.grayJpeg(picture, 0.9f)));
    assertEquals(-1, CelebaImageDecoder.JpegLayout.scan(new byte[] {1, 2, 3, 4, 5}).components());
    assertEquals(-1, CelebaImageDecoder.JpegLayout.scan(new byte[] {(byte) 0xFF, (byte) 0xD8}).components());
    assertFalse(new CelebaImageDecoder.JpegLayout(3, 2).isYcck());
  }

  /** Outputs well inside the green block and well outside it have the RGB colours of the picture. */
  private static void assertBlockColours(byte[] out, int tolerance) {
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        int[] p = pixel(out, 64, x, y);
        if (insideGreen(x, y)) {
          assertTrue(distance(p, GREEN) <= tolerance, "green at " + x + "," + y + ": " + Arrays.toString(p));
        } else if (clearOfGreen(x, y)) {
          assertTrue(distance(p, BACKGROUND) <= tolerance, "background at " + x + "," + y + ": "
              + Arrays.toString(p));
        }
      }
    }
  }

  /**
   * Output pixels entirely inside the green block even if JPEG's chroma upsampling smears its edges by 2
   * source pixels: the block is crop-relative x 29..60, y 25..56, output pixel i covers [2.1875 i, 2.1875 (i+1)).
   */
  private static boolean insideGreen(int x, int y) {
    return x >= 15 && x <= 25 && y >= 13 && y <= 24;
  }

  /** Output pixels that no part of the green block (smeared by 2 source pixels) reaches. */
  private static boolean clearOfGreen(int x, int y) {
    return x <= 11 || x >= 29 || y <= 9 || y >= 27;
  }

  static int[] pixel(byte[] hwc, int width, int x, int y) {
    int i = (y * width + x) * 3;
    return new int[] {hwc[i] & 0xFF, hwc[i + 1] & 0xFF, hwc[i + 2] & 0xFF};
  }

  /** Largest per-channel difference. */
  static int distance(int[] p, Color c) {
    return Math.max(Math.abs(p[0] - c.getRed()), Math.max(Math.abs(p[1] - c.getGreen()),
        Math.abs(p[2] - c.getBlue())));
  }

  private static byte[] crop(BufferedImage image, int x0, int y0, int size) {
    byte[] out = new byte[size * size * 3];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int p = image.getRGB(x0 + x, y0 + y);
        int i = (y * size + x) * 3;
        out[i] = (byte) (p >> 16);
        out[i + 1] = (byte) (p >> 8);
        out[i + 2] = (byte) p;
      }
    }
    return out;
  }

  private static byte[] pngBytes(BufferedImage image) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(image, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
