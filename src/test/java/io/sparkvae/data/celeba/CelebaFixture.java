package io.sparkvae.data.celeba;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes a miniature CelebA in exactly the official on-disk formats, so that the CelebA preparation can be
 * tested without the 1.4 GB download, including the defects a real copy can have (a corrupt or truncated
 * file, a file listed but missing, an extra file, a damaged annotation line, a zip entry escaping its
 * directory).
 *
 * <p>Layout under the fixture directory:
 * <ul>
 *   <li>{@code img_align_celeba/000001.jpg ...}: 178x218 RGB JPEGs (quality 95) of a face-like ellipse on a
 *       background, deterministic from the seed and the image number; or, with {@link Builder#zip()},
 *       {@code img_align_celeba.zip} holding a {@code img_align_celeba/} directory entry and
 *       {@code img_align_celeba/000001.jpg ...} entries, as the official zip does;</li>
 *   <li>{@code list_eval_partition.txt}: {@code 000001.jpg 0} lines (0 train, 1 validation, 2 test), LF;</li>
 *   <li>{@code list_attr_celeba.txt}: the image count, the 40 attribute names (with the official file's
 *       trailing space), then per image the file name and 40 values of 1 or -1, laid out as in the official
 *       file, see {@link #attributeLine}.</li>
 * </ul>
 *
 * <p>Everything is a pure function of (seed, count, options): the expected labels of a fixture can be
 * recomputed with {@link #expectedLabels(CelebaFixture)} and compared with prepared rows.
 */
public final class CelebaFixture {
  /** The 40 CelebA attributes, in the order of the official file's columns. */
  public static final List<String> ATTRIBUTE_NAMES = List.of(
      "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs", "Big_Lips",
      "Big_Nose", "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair", "Bushy_Eyebrows", "Chubby",
      "Double_Chin", "Eyeglasses", "Goatee", "Gray_Hair", "Heavy_Makeup", "High_Cheekbones", "Male",
      "Mouth_Slightly_Open", "Mustache", "Narrow_Eyes", "No_Beard", "Oval_Face", "Pale_Skin", "Pointy_Nose",
      "Receding_Hairline", "Rosy_Cheeks", "Sideburns", "Smiling", "Straight_Hair", "Wavy_Hair",
      "Wearing_Earrings", "Wearing_Hat", "Wearing_Lipstick", "Wearing_Necklace", "Wearing_Necktie", "Young");
  /** Width of an aligned CelebA image. */
  public static final int WIDTH = 178;
  /** Height of an aligned CelebA image. */
  public static final int HEIGHT = 218;
  public static final String IMAGE_DIR = "img_align_celeba";
  public static final String ZIP_FILE = "img_align_celeba.zip";
  public static final String PARTITION_FILE = "list_eval_partition.txt";
  public static final String ATTRIBUTE_FILE = "list_attr_celeba.txt";
  /** The entry {@link Builder#zipEntryEscaping()} adds: extracting it naively writes outside the target. */
  public static final String ESCAPING_ENTRY = IMAGE_DIR + "/../../evil.jpg";
  /** JPEG quality of the fixture's images (0..1, as ImageIO takes it). */
  public static final float QUALITY = 0.95f;

  private static final Pattern NUMBERED = Pattern.compile("(\\d{1,9})\\.jpg");

  private final Path dir;
  private final int count;
  private final long seed;
  private final boolean zipped;
  private final boolean partitionFile;
  private final boolean escapingEntry;
  private final Set<String> corrupt;
  private final Set<String> truncated;
  private final Set<String> grayscale;
  private final Set<String> cmyk;
  private final Set<String> missing;
  private final Set<String> unlisted;
  private final Set<Integer> malformedLines;

  private CelebaFixture(Builder b) {
    dir = b.dir;
    count = b.count;
    seed = b.seed;
    zipped = b.zip;
    partitionFile = b.partitionFile;
    escapingEntry = b.escapingEntry;
    corrupt = Collections.unmodifiableSet(new TreeSet<>(b.corrupt));
    truncated = Collections.unmodifiableSet(new TreeSet<>(b.truncated));
    grayscale = Collections.unmodifiableSet(new TreeSet<>(b.grayscale));
    cmyk = Collections.unmodifiableSet(new TreeSet<>(b.cmyk));
    missing = Collections.unmodifiableSet(new TreeSet<>(b.missing));
    unlisted = Collections.unmodifiableSet(new TreeSet<>(b.unlisted));
    malformedLines = Collections.unmodifiableSet(new TreeSet<>(b.malformedLines));
  }

  /** Starts a fixture of 10 images with seed 1 in {@code dir} (created if needed); finish with write(). */
  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** Options for {@link CelebaFixture}; every defect names an image by its file name, e.g. "000003.jpg". */
  public static final class Builder {
    private final Path dir;
    private int count = 10;
    private long seed = 1L;
    private boolean zip;
    private boolean partitionFile = true;
    private boolean escapingEntry;
    private final Set<String> corrupt = new LinkedHashSet<>();
    private final Set<String> truncated = new LinkedHashSet<>();
    private final Set<String> grayscale = new LinkedHashSet<>();
    private final Set<String> cmyk = new LinkedHashSet<>();
    private final Set<String> missing = new LinkedHashSet<>();
    private final Set<String> unlisted = new LinkedHashSet<>();
    private final Set<Integer> malformedLines = new LinkedHashSet<>();

    private Builder(Path dir) {
      this.dir = dir;
    }

    /** Number of listed images, 000001.jpg .. count (default 10). */
    public Builder count(int count) {
      if (count < 1 || count > 999_999) {
        throw new IllegalArgumentException("count must be in 1..999999, got " + count);
      }
      this.count = count;
      return this;
    }

    /** Seed of the images' content, splits and attributes (default 1). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Overwrites the file with random bytes of the same length (not a JPEG at all). */
    public Builder corrupt(String name) {
      corrupt.add(name);
      return this;
    }

    /** Keeps only the first 60% of the file's bytes, as an interrupted download does. */
    public Builder truncate(String name) {
      truncated.add(name);
      return this;
    }

    /** Writes the image as a one-component (grayscale) JPEG. */
    public Builder grayscale(String name) {
      grayscale.add(name);
      return this;
    }

    /** Writes the image as a four-component Adobe CMYK JPEG (APP14 transform 0, inverted samples). */
    public Builder cmyk(String name) {
      cmyk.add(name);
      return this;
    }

    /** Lists the image in both text files but leaves it out of the directory or zip. */
    public Builder missingFromDisk(String name) {
      missing.add(name);
      return this;
    }

    /** Adds a valid JPEG with this name on disk (or in the zip) that neither text file lists. */
    public Builder unlisted(String name) {
      unlisted.add(name);
      return this;
    }

    /** Does not write list_eval_partition.txt. */
    public Builder withoutPartitionFile() {
      partitionFile = false;
      return this;
    }

    /** Writes only 39 of the 40 attribute values on the line of image {@code imageNumber} (1-based). */
    public Builder malformedAttributeLine(int imageNumber) {
      malformedLines.add(imageNumber);
      return this;
    }

    /** Writes img_align_celeba.zip (entries img_align_celeba/NNNNNN.jpg) instead of the directory. */
    public Builder zip() {
      zip = true;
      return this;
    }

    /** Adds an entry named {@value CelebaFixture#ESCAPING_ENTRY} to the zip; implies {@link #zip()}. */
    public Builder zipEntryEscaping() {
      zip = true;
      escapingEntry = true;
      return this;
    }

    /** Writes the files and returns the fixture describing them. */
    public CelebaFixture write() throws IOException {
      CelebaFixture fixture = new CelebaFixture(this);
      fixture.check();
      fixture.writeFiles();
      return fixture;
    }
  }

  /** The labels of one listed image: split 0/1/2 and the 40 attributes as 0/1 (the file's -1 becomes 0). */
  public record Labels(int split, List<Integer> attributes) {
    /** The attributes as an array, in {@link #ATTRIBUTE_NAMES} order. */
    public int[] attributeArray() {
      return attributes.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  // ---------------------------------------------------------------- what was written

  /** The fixture's directory (contains the text files and the image directory or zip). */
  public Path dir() {
    return dir;
  }

  /** {@code dir/img_align_celeba}; does not exist for a zipped fixture. */
  public Path imageDir() {
    return dir.resolve(IMAGE_DIR);
  }

  /** {@code dir/img_align_celeba.zip}; exists only for a zipped fixture. */
  public Path zipFile() {
    return dir.resolve(ZIP_FILE);
  }

  public Path partitionFile() {
    return dir.resolve(PARTITION_FILE);
  }

  public Path attributeFile() {
    return dir.resolve(ATTRIBUTE_FILE);
  }

  public int count() {
    return count;
  }

  public long seed() {
    return seed;
  }

  public boolean isZipped() {
    return zipped;
  }

  public boolean hasPartitionFile() {
    return partitionFile;
  }

  public boolean hasEscapingEntry() {
    return escapingEntry;
  }

  /** The listed file names, 000001.jpg .. in order. */
  public List<String> listedNames() {
    List<String> names = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      names.add(fileName(i));
    }
    return names;
  }

  public Set<String> corrupted() {
    return corrupt;
  }

  public Set<String> truncated() {
    return truncated;
  }

  public Set<String> grayscaled() {
    return grayscale;
  }

  public Set<String> cmykEncoded() {
    return cmyk;
  }

  public Set<String> missingFromDisk() {
    return missing;
  }

  public Set<String> unlisted() {
    return unlisted;
  }

  /** Image numbers whose attribute line has 39 values. */
  public Set<Integer> malformedAttributeLines() {
    return malformedLines;
  }

  /**
   * Listed names a correct preparation turns into rows: on disk, decodable by {@link CelebaImageDecoder}
   * (grayscale and CMYK are, corrupt and truncated are not) and with a well-formed attribute line.
   */
  public Set<String> acceptedNames() {
    Set<String> accepted = new TreeSet<>(listedNames());
    accepted.removeAll(rejectedNames());
    return accepted;
  }

  /** Listed names a correct preparation must reject: corrupt, truncated, missing or a malformed line. */
  public Set<String> rejectedNames() {
    Set<String> rejected = new TreeSet<>();
    rejected.addAll(corrupt);
    rejected.addAll(truncated);
    rejected.addAll(missing);
    for (int n : malformedLines) {
      rejected.add(fileName(n));
    }
    return rejected;
  }

  /**
   * The split and 0/1 attributes of every listed file name of {@code fixture}, in name order (also for
   * rejected names: the labels they would have had; a malformed line's intended 40 values).
   */
  public static Map<String, Labels> expectedLabels(CelebaFixture fixture) {
    int[] splits = splits(fixture.seed, fixture.count);
    Map<String, Labels> labels = new TreeMap<>();
    for (int i = 1; i <= fixture.count; i++) {
      int[] values = attributes(fixture.seed, i);
      List<Integer> bits = new ArrayList<>(values.length);
      for (int v : values) {
        bits.add(v > 0 ? 1 : 0);
      }
      labels.put(fileName(i), new Labels(splits[i - 1], List.copyOf(bits)));
    }
    return labels;
  }

  // ---------------------------------------------------------------- deterministic content

  /** The official name of image {@code number}: six digits, e.g. 000001.jpg. */
  public static String fileName(int number) {
    return String.format("%06d.jpg", number);
  }

  /**
   * The split (0 train, 1 validation, 2 test) of images 1..count: random with 60/20/20 odds, except that
   * with 3 or more images the first three images of a seeded shuffle are one of each split, so every split
   * is present. Unlike the official file the splits are interleaved, which catches code that derives the
   * split from the position instead of reading it.
   */
  public static int[] splits(long seed, int count) {
    Random rnd = new Random(seed * 0x9E3779B97F4A7C15L + 17);
    int[] splits = new int[count];
    for (int i = 0; i < count; i++) {
      double u = rnd.nextDouble();
      splits[i] = u < 0.6 ? 0 : u < 0.8 ? 1 : 2;
    }
    if (count >= 3) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        order.add(i);
      }
      Collections.shuffle(order, rnd);
      for (int s = 0; s < 3; s++) {
        splits[order.get(s)] = s;
      }
    }
    return splits;
  }

  /** The 40 attribute values (1 or -1, as in the file) of image {@code number}: each is 1 with odds 0.3. */
  public static int[] attributes(long seed, int number) {
    Random rnd = new Random(seed * 0x9E3779B97F4A7C15L + 1000L * number + 3);
    int[] values = new int[ATTRIBUTE_NAMES.size()];
    for (int a = 0; a < values.length; a++) {
      values[a] = rnd.nextDouble() < 0.3 ? 1 : -1;
    }
    return values;
  }

  /**
   * The 178x218 picture of image {@code number} before JPEG encoding: a plain background, a face-like
   * ellipse of another colour roughly centred in the CelebA crop, two dark eyes and a mouth.
   */
  public static BufferedImage render(long seed, int number) {
    Random rnd = new Random(seed * 0x9E3779B97F4A7C15L + 1000L * number + 5);
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
      Color background = new Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256));
      Color face;
      do {
        face = new Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256));
      } while (Math.abs(face.getRed() - background.getRed()) + Math.abs(face.getGreen() - background.getGreen())
          + Math.abs(face.getBlue() - background.getBlue()) < 120);
      g.setColor(background);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      int faceW = 80 + rnd.nextInt(30);
      int faceH = 105 + rnd.nextInt(30);
      int cx = WIDTH / 2 + rnd.nextInt(11) - 5;
      int cy = HEIGHT / 2 + 10 + rnd.nextInt(11) - 5;
      g.setColor(face);
      g.fillOval(cx - faceW / 2, cy - faceH / 2, faceW, faceH);
      g.setColor(Color.DARK_GRAY);
      g.fillOval(cx - faceW / 4 - 6, cy - faceH / 6 - 4, 12, 8);
      g.fillOval(cx + faceW / 4 - 6, cy - faceH / 6 - 4, 12, 8);
      g.fillRect(cx - faceW / 6, cy + faceH / 4, faceW / 3, 5);
    } finally {
      g.dispose();
    }
    return image;
  }

  /**
   * One line of list_attr_celeba.txt, laid out as the official file: the name, then each value in a field
   * of width 2 ({@code -1} or {@code " 1"}) after a single space, except that the first value follows the
   * name after one space without padding ("000007.jpg 1 -1  1 ...", "000001.jpg -1  1  1 ...").
   */
  public static String attributeLine(String name, int[] values) {
    StringBuilder line = new StringBuilder(name.length() + 3 * values.length);
    line.append(name);
    for (int a = 0; a < values.length; a++) {
      if (values[a] != 1 && values[a] != -1) {
        throw new IllegalArgumentException("attribute values are 1 or -1, got " + values[a]);
      }
      line.append(values[a] == 1 ? (a == 0 ? " 1" : "  1") : " -1");
    }
    return line.toString();
  }

  // ---------------------------------------------------------------- JPEG writers

  /** A baseline JFIF (YCbCr) JPEG of an RGB image, with the JDK's encoder. */
  public static byte[] rgbJpeg(BufferedImage rgb, float quality) {
    return writeJpeg(new IIOImage(rgb, null, null), quality);
  }

  /**
   * A one-component JPEG of an RGB image: luma round(0.299 R + 0.587 G + 0.114 B) computed here, so the
   * gray value does not depend on Java2D's gray colour-space gamma.
   */
  public static byte[] grayJpeg(BufferedImage rgb, float quality) {
    BufferedImage gray = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster out = gray.getRaster();
    for (int y = 0; y < rgb.getHeight(); y++) {
      for (int x = 0; x < rgb.getWidth(); x++) {
        out.setSample(x, y, 0, luma(rgb.getRGB(x, y)));
      }
    }
    return writeJpeg(new IIOImage(gray, null, null), quality);
  }

  /** Luma of a packed RGB pixel, as {@link #grayJpeg} computes it. */
  public static int luma(int rgb) {
    int r = (rgb >> 16) & 0xFF;
    int g = (rgb >> 8) & 0xFF;
    int b = rgb & 0xFF;
    return (int) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }

  /**
   * A four-component Adobe CMYK JPEG (APP14 transform 0) of an RGB image, as Photoshop writes them: inverted
   * samples (255 - ink). The inks come from the naive conversion K = 1 - max(R, G, B), which
   * {@link CelebaImageDecoder} inverts exactly (up to JPEG loss).
   */
  public static byte[] cmykJpeg(BufferedImage rgb, float quality) {
    return adobeJpeg(rgb, quality, false);
  }

  /** As {@link #cmykJpeg} but YCCK-encoded (APP14 transform 2), as Photoshop's default CMYK JPEG is. */
  public static byte[] ycckJpeg(BufferedImage rgb, float quality) {
    return adobeJpeg(rgb, quality, true);
  }

  /**
   * A four-component JPEG whose samples are written as given, with no colour conversion and with no JFIF or
   * Adobe marker (the JDK's encoder, given a bare raster, writes neither).
   */
  public static byte[] rawFourComponentJpeg(Raster samples, float quality) {
    if (samples.getNumBands() != 4) {
      throw new IllegalArgumentException("expected 4 bands, got " + samples.getNumBands());
    }
    return writeJpeg(new IIOImage(samples, null, null), quality);
  }

  /** Inserts an Adobe APP14 segment with the given transform right after SOI. */
  public static byte[] withAdobeMarker(byte[] jpeg, int transform) {
    byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0,
        (byte) transform};
    byte[] out = new byte[jpeg.length + app14.length];
    System.arraycopy(jpeg, 0, out, 0, 2);
    System.arraycopy(app14, 0, out, 2, app14.length);
    System.arraycopy(jpeg, 2, out, 2 + app14.length, jpeg.length - 2);
    return out;
  }

  private static byte[] adobeJpeg(BufferedImage rgb, float quality, boolean ycck) {
    int w = rgb.getWidth();
    int h = rgb.getHeight();
    WritableRaster samples = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
    int[] px = new int[4];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = rgb.getRGB(x, y);
        int r = (p >> 16) & 0xFF;
        int g = (p >> 8) & 0xFF;
        int b = p & 0xFF;
        // inverted inks: k' = 255 - K = max(R, G, B); c' = 255 - C = R / (1 - K)
        int k = Math.max(r, Math.max(g, b));
        int c = k == 0 ? 0 : Math.min(255, Math.round(r * 255f / k));
        int m = k == 0 ? 0 : Math.min(255, Math.round(g * 255f / k));
        int ye = k == 0 ? 0 : Math.min(255, Math.round(b * 255f / k));
        if (ycck) {
          // libjpeg decodes YCCK as inverted CMY = 255 - RGB(Y, Cb, Cr): encode RGB = 255 - inverted CMY
          int r0 = 255 - c;
          int g0 = 255 - m;
          int b0 = 255 - ye;
          px[0] = clamp(0.299 * r0 + 0.587 * g0 + 0.114 * b0);
          px[1] = clamp(-0.168736 * r0 - 0.331264 * g0 + 0.5 * b0 + 128);
          px[2] = clamp(0.5 * r0 - 0.418688 * g0 - 0.081312 * b0 + 128);
        } else {
          px[0] = c;
          px[1] = m;
          px[2] = ye;
        }
        px[3] = k;
        samples.setPixel(x, y, px);
      }
    }
    return withAdobeMarker(rawFourComponentJpeg(samples, quality), ycck ? 2 : 0);
  }

  private static int clamp(double v) {
    long r = Math.round(v);
    return r < 0 ? 0 : r > 255 ? 255 : (int) r;
  }

  private static byte[] writeJpeg(IIOImage image, float quality) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
        writer.setOutput(out);
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        writer.write(null, image, param);
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("could not encode a test JPEG", e);
    } finally {
      writer.dispose();
    }
  }

  // ---------------------------------------------------------------- writing

  private void check() {
    Set<String> listed = new TreeSet<>(listedNames());
    for (Set<String> names : List.of(corrupt, truncated, grayscale, cmyk, missing)) {
      for (String name : names) {
        if (!listed.contains(name)) {
          throw new IllegalArgumentException(name + " is not one of the fixture's " + count + " listed images");
        }
      }
    }
    for (String name : grayscale) {
      if (cmyk.contains(name)) {
        throw new IllegalArgumentException(name + " cannot be both grayscale and CMYK");
      }
    }
    for (String name : unlisted) {
      if (listed.contains(name) || name.contains("/")) {
        throw new IllegalArgumentException("unlisted(" + name + ") must be a new plain file name");
      }
    }
    for (int n : malformedLines) {
      if (n < 1 || n > count) {
        throw new IllegalArgumentException("malformedAttributeLine(" + n + ") is not in 1.." + count);
      }
    }
  }

  private void writeFiles() throws IOException {
    Files.createDirectories(dir);
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String name : listedNames()) {
      if (!missing.contains(name)) {
        files.put(name, imageBytes(name));
      }
    }
    for (String name : unlisted) {
      files.put(name, imageBytes(name));
    }
    if (zipped) {
      writeZip(files);
    } else {
      Files.createDirectories(imageDir());
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        Files.write(imageDir().resolve(e.getKey()), e.getValue());
      }
    }
    if (partitionFile) {
      int[] splits = splits(seed, count);
      StringBuilder text = new StringBuilder();
      for (int i = 1; i <= count; i++) {
        text.append(fileName(i)).append(' ').append(splits[i - 1]).append('\n');
      }
      Files.writeString(partitionFile(), text, StandardCharsets.US_ASCII);
    }
    StringBuilder attrs = new StringBuilder();
    attrs.append(count).append('\n');
    attrs.append(String.join(" ", ATTRIBUTE_NAMES)).append(" \n");
    for (int i = 1; i <= count; i++) {
      int[] values = attributes(seed, i);
      if (malformedLines.contains(i)) {
        values = Arrays.copyOf(values, values.length - 1);
      }
      attrs.append(attributeLine(fileName(i), values)).append('\n');
    }
    Files.writeString(attributeFile(), attrs, StandardCharsets.US_ASCII);
  }

  private void writeZip(Map<String, byte[]> files) throws IOException {
    try (OutputStream raw = Files.newOutputStream(zipFile()); ZipOutputStream zip = new ZipOutputStream(raw)) {
      zip.putNextEntry(entry(IMAGE_DIR + "/"));
      zip.closeEntry();
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        zip.putNextEntry(entry(IMAGE_DIR + "/" + e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
      if (escapingEntry) {
        zip.putNextEntry(entry(ESCAPING_ENTRY));
        zip.write(rgbJpeg(render(seed, 0), QUALITY));
        zip.closeEntry();
      }
    }
  }

  private static ZipEntry entry(String name) {
    ZipEntry entry = new ZipEntry(name);
    entry.setTime(946_684_800_000L); // fixed (2000-01-01) so the zip's bytes depend only on the options
    return entry;
  }

  private byte[] imageBytes(String name) {
    BufferedImage picture = render(seed, number(name));
    byte[] jpeg;
    if (grayscale.contains(name)) {
      jpeg = grayJpeg(picture, QUALITY);
    } else if (cmyk.contains(name)) {
      jpeg = cmykJpeg(picture, QUALITY);
    } else {
      jpeg = rgbJpeg(picture, QUALITY);
    }
    if (truncated.contains(name)) {
      jpeg = Arrays.copyOf(jpeg, (int) (jpeg.length * 0.6));
    }
    if (corrupt.contains(name)) {
      Random rnd = new Random(seed + number(name));
      rnd.nextBytes(jpeg);
      jpeg[0] = 'X'; // whatever the random bytes, never a JPEG's 0xFF 0xD8 start
    }
    return jpeg;
  }

  /** The image number in a name like 000012.jpg, or a stable stand-in for other names. */
  private static int number(String name) {
    Matcher m = NUMBERED.matcher(name);
    return m.matches() ? Integer.parseInt(m.group(1)) : 1_000_000 + Math.abs(name.hashCode() % 1_000_000);
  }

  /** The picture behind image {@code number} of this fixture before JPEG encoding, see {@link #render}. */
  public BufferedImage picture(int number) {
    return render(seed, number);
  }
}
