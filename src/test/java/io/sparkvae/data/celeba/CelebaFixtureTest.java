package io.sparkvae.data.celeba;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CelebaFixtureTest {

  /** Two lines copied verbatim from the official list_attr_celeba.txt. */
  private static final String OFFICIAL_1 = "000001.jpg -1  1  1 -1 -1 -1 -1 -1 -1 -1 -1  1 -1 -1 -1 -1 -1 -1  1"
      + "  1 -1  1 -1 -1  1 -1 -1  1 -1 -1 -1  1  1 -1  1 -1  1 -1 -1  1";
  private static final String OFFICIAL_7 = "000007.jpg 1 -1  1  1 -1 -1  1  1  1 -1 -1 -1  1 -1 -1 -1 -1 -1 -1"
      + " -1  1 -1 -1 -1  1 -1 -1  1 -1 -1 -1 -1  1 -1 -1 -1 -1 -1 -1  1";

  @TempDir
  Path tmp;

  @Test
  void attributeLinesAreLaidOutLikeTheOfficialFile() {
    for (String official : List.of(OFFICIAL_1, OFFICIAL_7)) {
      String[] tokens = official.split(" +");
      int[] values = Arrays.stream(tokens, 1, tokens.length).mapToInt(Integer::parseInt).toArray();
      assertEquals(40, values.length);
      assertEquals(official, CelebaFixture.attributeLine(tokens[0], values));
    }
    assertEquals(40, CelebaFixture.ATTRIBUTE_NAMES.size());
    assertEquals(40, new HashSet<>(CelebaFixture.ATTRIBUTE_NAMES).size());
    assertThrows(IllegalArgumentException.class, () -> CelebaFixture.attributeLine("x.jpg", new int[] {0}));
  }

  @Test
  void defaultFixtureHasTheOfficialFilesAndFormats() throws IOException {
    CelebaFixture fixture = CelebaFixture.builder(tmp).count(12).seed(3).write();
    Map<String, CelebaFixture.Labels> labels = CelebaFixture.expectedLabels(fixture);
    assertEquals(fixture.listedNames(), new ArrayList<>(labels.keySet()));

    // images: 000001.jpg .. 000012.jpg, 178x218 RGB JPEGs
    try (Stream<Path> files = Files.list(fixture.imageDir())) {
      assertEquals(fixture.listedNames(), files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertEquals("000012.jpg", fixture.listedNames().get(11));
    BufferedImage first = ImageIO.read(fixture.imageDir().resolve("000001.jpg").toFile());
    assertEquals(178, first.getWidth());
    assertEquals(218, first.getHeight());
    assertEquals(BufferedImage.TYPE_3BYTE_BGR, first.getType());
    assertFalse(Files.exists(fixture.zipFile()));

    // partition file: "000001.jpg 0" per image, LF only, every split present
    String partition = Files.readString(fixture.partitionFile(), StandardCharsets.US_ASCII);
    assertFalse(partition.contains("\r"));
    assertTrue(partition.endsWith("\n"));
    List<String> partitionLines = partition.lines().toList();
    assertEquals(12, partitionLines.size());
    Set<Integer> splits = new TreeSet<>();
    for (int i = 0; i < 12; i++) {
      String line = partitionLines.get(i);
      assertTrue(line.matches("\\d{6}\\.jpg [012]"), line);
      String name = line.substring(0, 10);
      assertEquals(CelebaFixture.fileName(i + 1), name);
      int split = Integer.parseInt(line.substring(11));
      assertEquals(labels.get(name).split(), split);
      splits.add(split);
    }
    assertEquals(Set.of(0, 1, 2), splits);

    // attribute file: count, 40 names (with the official trailing space), name + 40 values per image
    String attrs = Files.readString(fixture.attributeFile(), StandardCharsets.US_ASCII);
    assertFalse(attrs.contains("\r"));
    List<String> lines = attrs.lines().toList();
    assertEquals(2 + 12, lines.size());
    assertEquals("12", lines.get(0));
    assertEquals(String.join(" ", CelebaFixture.ATTRIBUTE_NAMES) + " ", lines.get(1));
    assertTrue(lines.get(1).startsWith("5_o_Clock_Shadow Arched_Eyebrows "));
    boolean sawLeadingPositive = false;
    boolean sawPaddedPositive = false;
    for (int i = 1; i <= 12; i++) {
      String line = lines.get(1 + i);
      // the first value follows the name after one space; later values are " -1" or "  1"
      assertTrue(line.matches("\\d{6}\\.jpg (1|-1)( -1|  1){39}"), line);
      String[] tokens = line.split(" +");
      assertEquals(41, tokens.length);
      assertEquals(CelebaFixture.fileName(i), tokens[0]);
      int[] expected = labels.get(tokens[0]).attributeArray();
      for (int a = 0; a < 40; a++) {
        assertEquals(expected[a] == 1 ? "1" : "-1", tokens[a + 1], line);
      }
      sawLeadingPositive |= tokens[1].equals("1");
      sawPaddedPositive |= line.contains("  1");
      assertEquals(CelebaFixture.attributeLine(tokens[0], CelebaFixture.attributes(3, i)), line);
    }
    assertTrue(sawPaddedPositive);
    assertTrue(sawLeadingPositive, "seed 3 has an image whose first attribute is positive");

    // everything is accepted, and the labels are 0/1
    assertEquals(new TreeSet<>(fixture.listedNames()), fixture.acceptedNames());
    assertTrue(fixture.rejectedNames().isEmpty());
    for (CelebaFixture.Labels l : labels.values()) {
      assertTrue(l.attributes().stream().allMatch(v -> v == 0 || v == 1));
    }
  }

  @Test
  void sameOptionsGiveIdenticalBytesAndOtherSeedsDiffer() throws IOException {
    CelebaFixture a = CelebaFixture.builder(tmp.resolve("a")).count(4).seed(9).truncate("000002.jpg").write();
    CelebaFixture b = CelebaFixture.builder(tmp.resolve("b")).count(4).seed(9).truncate("000002.jpg").write();
    CelebaFixture c = CelebaFixture.builder(tmp.resolve("c")).count(4).seed(10).truncate("000002.jpg").write();
    for (String name : a.listedNames()) {
      assertArrayEquals(Files.readAllBytes(a.imageDir().resolve(name)), Files.readAllBytes(b.imageDir().resolve(name)));
      assertFalse(Arrays.equals(Files.readAllBytes(a.imageDir().resolve(name)),
          Files.readAllBytes(c.imageDir().resolve(name))));
    }
    assertEquals(Files.readString(a.attributeFile()), Files.readString(b.attributeFile()));
    assertEquals(CelebaFixture.expectedLabels(a), CelebaFixture.expectedLabels(b));
    assertNotEquals(CelebaFixture.expectedLabels(a), CelebaFixture.expectedLabels(c));
  }

  @Test
  void defectsAreWrittenAsDescribed() throws IOException {
    CelebaFixture fixture = CelebaFixture.builder(tmp).count(10).seed(5)
        .corrupt("000002.jpg").truncate("000003.jpg").grayscale("000004.jpg").cmyk("000005.jpg")
        .missingFromDisk("000006.jpg").unlisted("000011.jpg").malformedAttributeLine(7)
        .withoutPartitionFile().write();
    Path images = fixture.imageDir();
    CelebaFixture clean = CelebaFixture.builder(tmp.resolve("clean")).count(10).seed(5).write();

    byte[] corrupt = Files.readAllBytes(images.resolve("000002.jpg"));
    assertNotEquals(0xFF, corrupt[0] & 0xFF);
    assertEquals(Files.size(clean.imageDir().resolve("000002.jpg")), corrupt.length);

    byte[] whole = Files.readAllBytes(clean.imageDir().resolve("000003.jpg"));
    byte[] truncated = Files.readAllBytes(images.resolve("000003.jpg"));
    assertArrayEquals(Arrays.copyOf(whole, (int) (whole.length * 0.6)), truncated);

    byte[] gray = Files.readAllBytes(images.resolve("000004.jpg"));
    assertEquals(new CelebaImageDecoder.JpegLayout(1, -1), CelebaImageDecoder.JpegLayout.scan(gray));
    byte[] cmyk = Files.readAllBytes(images.resolve("000005.jpg"));
    assertEquals(new CelebaImageDecoder.JpegLayout(4, 0), CelebaImageDecoder.JpegLayout.scan(cmyk));

    assertFalse(Files.exists(images.resolve("000006.jpg")));
    assertTrue(Files.exists(images.resolve("000011.jpg")));
    assertFalse(Files.exists(fixture.partitionFile()));

    List<String> attrLines = Files.readAllLines(fixture.attributeFile());
    assertEquals("10", attrLines.get(0));
    assertEquals(12, attrLines.size()); // the unlisted image is in neither file
    for (int i = 1; i <= 10; i++) {
      String line = attrLines.get(1 + i);
      assertEquals(i == 7 ? 40 : 41, line.split(" +").length, line);
    }
    assertFalse(String.join("\n", attrLines).contains("000011.jpg"));

    assertEquals(Set.of("000002.jpg", "000003.jpg", "000006.jpg", "000007.jpg"), fixture.rejectedNames());
    assertEquals(Set.of("000001.jpg", "000004.jpg", "000005.jpg", "000008.jpg", "000009.jpg", "000010.jpg"),
        fixture.acceptedNames());
  }

  @Test
  void theDecoderAcceptsExactlyTheAcceptedImages() throws IOException {
    CelebaFixture fixture = CelebaFixture.builder(tmp).count(8).seed(6)
        .corrupt("000002.jpg").truncate("000003.jpg").grayscale("000004.jpg").cmyk("000005.jpg")
        .unlisted("000100.jpg").write();
    CelebaImageDecoder decoder = new CelebaImageDecoder(140, 64);
    Map<String, String> outcome = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(fixture.imageDir())) {
      for (Path file : files.sorted().toList()) {
        try {
          assertEquals(64 * 64 * 3, decoder.decode(Files.readAllBytes(file)).length);
          outcome.put(file.getFileName().toString(), "ok");
        } catch (RejectedImageException e) {
          outcome.put(file.getFileName().toString(), e.reason());
        }
      }
    }
    Set<String> ok = outcome.entrySet().stream().filter(e -> e.getValue().equals("ok")).map(Map.Entry::getKey)
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> expectedOk = new TreeSet<>(fixture.acceptedNames());
    expectedOk.add("000100.jpg");
    assertEquals(expectedOk, ok, outcome.toString());
    assertTrue(outcome.get("000002.jpg").startsWith("not a decodable JPEG"), outcome.get("000002.jpg"));
    assertTrue(outcome.get("000003.jpg").startsWith("truncated or corrupt JPEG"), outcome.get("000003.jpg"));
  }

  @Test
  void zipHoldsTheOfficialEntryNames() throws IOException {
    CelebaFixture fixture = CelebaFixture.builder(tmp).count(5).seed(2)
        .missingFromDisk("000004.jpg").unlisted("000009.jpg").corrupt("000001.jpg").zip().write();
    assertTrue(fixture.isZipped());
    assertFalse(Files.exists(fixture.imageDir()));
    assertTrue(Files.exists(fixture.partitionFile()));
    try (ZipFile zip = new ZipFile(fixture.zipFile().toFile())) {
      List<String> names = Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList();
      assertEquals(List.of("img_align_celeba/", "img_align_celeba/000001.jpg", "img_align_celeba/000002.jpg",
          "img_align_celeba/000003.jpg", "img_align_celeba/000005.jpg", "img_align_celeba/000009.jpg"), names);
      assertTrue(zip.getEntry("img_align_celeba/").isDirectory());
      byte[] second = zip.getInputStream(zip.getEntry("img_align_celeba/000002.jpg")).readAllBytes();
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(second));
      assertEquals(178, image.getWidth());
      assertEquals(218, image.getHeight());
      byte[] first = zip.getInputStream(zip.getEntry("img_align_celeba/000001.jpg")).readAllBytes();
      assertNotEquals(0xFF, first[0] & 0xFF);
    }
  }

  @Test
  void zipEntryEscapingAddsATraversalEntry() throws IOException {
    CelebaFixture fixture = CelebaFixture.builder(tmp).count(2).zipEntryEscaping().write();
    assertTrue(fixture.isZipped());
    assertTrue(fixture.hasEscapingEntry());
    try (ZipFile zip = new ZipFile(fixture.zipFile().toFile())) {
      List<String> names = Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList();
      assertEquals("img_align_celeba/../../evil.jpg", names.get(names.size() - 1));
      assertEquals(CelebaFixture.ESCAPING_ENTRY, names.get(names.size() - 1));
      assertEquals(4, names.size());
    }
  }

  @Test
  void defectsMustNameListedImages() {
    assertThrows(IllegalArgumentException.class,
        () -> CelebaFixture.builder(tmp).count(3).corrupt("000004.jpg").write());
    assertThrows(IllegalArgumentException.class,
        () -> CelebaFixture.builder(tmp).count(3).unlisted("000002.jpg").write());
    assertThrows(IllegalArgumentException.class,
        () -> CelebaFixture.builder(tmp).count(3).malformedAttributeLine(4).write());
    assertThrows(IllegalArgumentException.class, () -> CelebaFixture.builder(tmp).count(0));
  }
}
