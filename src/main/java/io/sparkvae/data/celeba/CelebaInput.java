package io.sparkvae.data.celeba;

import io.sparkvae.data.ArchiveEntries;
import io.sparkvae.data.BadInputException;
import io.sparkvae.data.Reject;
import io.sparkvae.data.SplitAssigner;
import io.sparkvae.io.HadoopFiles;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.hadoop.fs.Path;

/**
 * What {@code prepare} reads of CelebA, found and checked on the driver before any image is decoded: the
 * split of every image ({@code list_eval_partition.txt}), its 40 attributes ({@code list_attr_celeba.txt}),
 * and which images exist ({@code img_align_celeba/} or {@code img_align_celeba.zip}, whose central
 * directory alone is read). Listed images that are missing and images that are not listed become rejects;
 * a malformed text file or an unsafe zip entry is a {@link BadInputException} naming the line or entry.
 *
 * @param images the image folder, or the zip
 * @param zip whether {@code images} is a zip
 * @param items the listed images that exist, sorted by name
 * @param rejects images skipped before decoding (missing, unlisted, without attributes)
 * @param attributeNames the 40 attribute names, in file order
 */
public record CelebaInput(String images, boolean zip, List<CelebaItem> items, List<Reject> rejects,
    List<String> attributeNames) implements Serializable {
  public static final String PARTITION_FILE = "list_eval_partition.txt";
  public static final String ATTRIBUTE_FILE = "list_attr_celeba.txt";
  public static final String IMAGE_FOLDER = "img_align_celeba";
  public static final String IMAGE_ZIP = "img_align_celeba.zip";
  public static final int ATTRIBUTES = 40;
  private static final String[] SPLITS = {SplitAssigner.TRAIN, SplitAssigner.VAL, SplitAssigner.TEST};

  /** Finds the files under {@code input} (flat, or the official Img/Eval/Anno folders) and reads the lists. */
  public static CelebaInput scan(String input, HadoopFiles files) {
    if (!files.isDirectory(input)) {
      throw new BadInputException("data.input: " + input + (files.exists(input) ? " is not a folder" :
          " does not exist") + "; expected a folder with " + IMAGE_ZIP + " (or " + IMAGE_FOLDER + "/), "
          + PARTITION_FILE + " and " + ATTRIBUTE_FILE + " (data-prep/download-celeba.sh puts them there)");
    }
    String partitionFile = find(input, files, PARTITION_FILE, "Eval");
    String attributeFile = find(input, files, ATTRIBUTE_FILE, "Anno");
    Map<String, String> splits = readPartitions(partitionFile, files.readBytes(partitionFile));
    List<String> names = new ArrayList<>();
    Map<String, int[]> attributes = readAttributes(attributeFile, files.readBytes(attributeFile), names);

    String folder = HadoopFiles.child(input, IMAGE_FOLDER);
    String images;
    boolean zip;
    Map<String, String> present; // file name -> source
    if (files.isDirectory(folder)) {
      List<String> inside = files.list(folder);
      String nested = HadoopFiles.child(folder, IMAGE_FOLDER); // Kaggle's copy nests the folder
      if (inside.size() == 1 && inside.get(0).equals(IMAGE_FOLDER) && files.isDirectory(nested)) {
        folder = nested;
        inside = files.list(folder);
      }
      images = folder;
      zip = false;
      present = new TreeMap<>();
      for (String name : inside) {
        if (name.toLowerCase(Locale.ROOT).endsWith(".jpg")) {
          present.put(name, HadoopFiles.child(folder, name));
        }
      }
    } else {
      images = findOptional(input, files, IMAGE_ZIP, "Img");
      if (images == null) {
        throw new BadInputException("data.input: " + input + " has neither " + IMAGE_FOLDER + "/ nor "
            + IMAGE_ZIP + " (also looked in " + input + "/Img)");
      }
      zip = true;
      present = zipEntries(images, files);
    }

    List<CelebaItem> items = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>();
    for (Map.Entry<String, String> e : splits.entrySet()) {
      String name = e.getKey();
      String source = present.get(name);
      int[] attrs = attributes.get(name);
      if (source == null) {
        rejects.add(new Reject(zip ? images + "!" + IMAGE_FOLDER + "/" + name : HadoopFiles.child(images, name),
            "listed in " + PARTITION_FILE + " but not found in " + images));
      } else if (attrs == null) {
        rejects.add(new Reject(location(images, zip, source),
            "listed in " + PARTITION_FILE + " but has no line in " + ATTRIBUTE_FILE));
      } else {
        items.add(new CelebaItem(name, source, e.getValue(), attrs));
      }
    }
    for (Map.Entry<String, String> e : present.entrySet()) {
      if (!splits.containsKey(e.getKey())) {
        rejects.add(new Reject(location(images, zip, e.getValue()), "not listed in " + PARTITION_FILE));
      }
    }
    return new CelebaInput(images, zip, List.copyOf(items), List.copyOf(rejects), List.copyOf(names));
  }

  /** How a reject names an image: the file path, or {@code zip!entry}. */
  static String location(String images, boolean zip, String source) {
    return zip ? images + "!" + source : source;
  }

  private static String find(String input, HadoopFiles files, String name, String officialFolder) {
    String path = findOptional(input, files, name, officialFolder);
    if (path == null) {
      throw new BadInputException("data.input: " + input + " has no " + name + " (also looked in " + input
          + "/" + officialFolder + "); it is part of the official CelebA download, see "
          + "data-prep/download-celeba.sh");
    }
    return path;
  }

  private static String findOptional(String input, HadoopFiles files, String name, String officialFolder) {
    for (String path : List.of(HadoopFiles.child(input, name),
        HadoopFiles.child(HadoopFiles.child(input, officialFolder), name))) {
      if (files.exists(path) && !files.isDirectory(path)) {
        return path;
      }
    }
    return null;
  }

  /** {@code 000001.jpg 0} per line: 0 train, 1 val, 2 test. Sorted by name. */
  static Map<String, String> readPartitions(String file, byte[] bytes) {
    Map<String, String> splits = new TreeMap<>();
    for (Line line : lines(bytes)) {
      if (line.text.isBlank()) {
        continue;
      }
      String[] f = line.text.trim().split("\\s+");
      if (f.length != 2 || !f[1].matches("[012]")) {
        throw line.error(file, "expected '<image>.jpg <0|1|2>'");
      }
      if (splits.put(f[0], SPLITS[f[1].charAt(0) - '0']) != null) {
        throw line.error(file, "lists " + f[0] + " a second time");
      }
    }
    if (splits.isEmpty()) {
      throw new BadInputException(file + ": lists no images");
    }
    return splits;
  }

  /**
   * Line 1: the number of images; line 2: the 40 attribute names; then {@code 000001.jpg -1  1 ...} per
   * image, values 1 or -1 (stored as 1 and 0).
   */
  static Map<String, int[]> readAttributes(String file, byte[] bytes, List<String> names) {
    List<Line> lines = lines(bytes);
    if (lines.size() < 2) {
      throw new BadInputException(file + ": expected a count line and a line of " + ATTRIBUTES
          + " attribute names, found " + lines.size() + " line(s)");
    }
    Line countLine = lines.get(0);
    long declared;
    try {
      declared = Long.parseLong(countLine.text.trim());
    } catch (NumberFormatException e) {
      throw countLine.error(file, "expected the number of images");
    }
    String[] header = lines.get(1).text.trim().split("\\s+");
    if (header.length != ATTRIBUTES) {
      throw lines.get(1).error(file, "expected " + ATTRIBUTES + " attribute names, found " + header.length);
    }
    Collections.addAll(names, header);
    Map<String, int[]> out = new HashMap<>();
    for (Line line : lines.subList(2, lines.size())) {
      if (line.text.isBlank()) {
        continue;
      }
      String[] f = line.text.trim().split("\\s+");
      if (f.length != ATTRIBUTES + 1) {
        throw line.error(file, "expected an image name and " + ATTRIBUTES + " values of 1 or -1, found "
            + (f.length - 1) + " value(s)");
      }
      int[] values = new int[ATTRIBUTES];
      for (int a = 0; a < ATTRIBUTES; a++) {
        switch (f[a + 1]) {
          case "1" -> values[a] = 1;
          case "-1" -> values[a] = 0;
          default -> throw line.error(file, "attribute " + header[a] + " is '" + f[a + 1]
              + "', expected 1 or -1");
        }
      }
      if (out.put(f[0], values) != null) {
        throw line.error(file, "lists " + f[0] + " a second time");
      }
    }
    if (declared != out.size()) {
      throw new BadInputException(file + ": line 1 declares " + declared + " images but " + out.size()
          + " image lines follow; is the file truncated?");
    }
    return out;
  }

  private static Map<String, String> zipEntries(String zipPath, HadoopFiles files) {
    Path path = new Path(zipPath);
    Map<String, String> present = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(new HadoopSeekableChannel(files.fs(zipPath), path), zipPath, "UTF-8",
        true, true)) {
      int index = 0;
      for (Enumeration<ZipArchiveEntry> en = zip.getEntries(); en.hasMoreElements(); index++) {
        ZipArchiveEntry e = en.nextElement();
        ArchiveEntries.checkSafe(zipPath, e.getName(), "(entry " + index + " of the zip's central "
            + "directory, local header at byte offset " + e.getDataOffset() + ")");
        String base = ArchiveEntries.baseName(e.getName());
        if (!e.isDirectory() && base.toLowerCase(Locale.ROOT).endsWith(".jpg")) {
          String earlier = present.put(base, e.getName());
          if (earlier != null) {
            throw new BadInputException(zipPath + ": holds two entries named " + base + " ('" + earlier
                + "' and '" + e.getName() + "')");
          }
        }
      }
    } catch (IOException e) {
      throw new BadInputException(zipPath + ": cannot read the zip (" + e.getMessage()
          + "); is the download complete?", e);
    }
    return new TreeMap<>(present);
  }

  /** A line of a text file with its 1-based number and the byte offset where it starts. */
  private record Line(int number, long offset, String text) {
    BadInputException error(String file, String expected) {
      String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
      return new BadInputException(file + " line " + number + " (byte offset " + offset + "): " + expected
          + "; the line is '" + shown + "'");
    }
  }

  private static List<Line> lines(byte[] bytes) {
    List<Line> out = new ArrayList<>();
    int start = 0;
    int number = 1;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
        if (i < bytes.length || end > start) {
          out.add(new Line(number++, start, new String(bytes, start, end - start, StandardCharsets.UTF_8)));
        }
        start = i + 1;
      }
    }
    return out;
  }
}
