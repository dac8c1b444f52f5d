package io.sparkvae.data.cifar;

import io.sparkvae.data.ArchiveEntries;
import io.sparkvae.data.BadInputException;
import io.sparkvae.io.HadoopFiles;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Finds CIFAR-10's six batch files under {@code data.input} and checks them before anything is read: the
 * input may be the {@code cifar-10-batches-bin} folder, a folder holding it or the archive, or the
 * {@code cifar-10-binary.tar.gz} itself (read as a stream, never extracted).
 */
public final class Cifar10Input {
  private Cifar10Input() {}

  /** The batches, training batches first; throws {@link BadInputException} naming the file at fault. */
  public static List<Cifar10Batch> scan(String input, HadoopFiles files) {
    if (!files.exists(input)) {
      throw new BadInputException("data.input: " + input + " does not exist");
    }
    if (!files.isDirectory(input)) {
      if (input.endsWith(".tar.gz") || input.endsWith(".tgz")) {
        return scanArchive(input, files);
      }
      throw new BadInputException("data.input: " + input + " is a file but not a .tar.gz; expected "
          + Cifar10Format.ARCHIVE + " or the " + Cifar10Format.FOLDER + " folder");
    }
    String nested = HadoopFiles.child(input, Cifar10Format.FOLDER);
    if (!files.exists(HadoopFiles.child(input, Cifar10Format.TEST_BATCH)) && files.isDirectory(nested)) {
      return scanFolder(nested, files);
    }
    String archive = HadoopFiles.child(input, Cifar10Format.ARCHIVE);
    if (!files.exists(HadoopFiles.child(input, Cifar10Format.TEST_BATCH)) && files.exists(archive)) {
      return scanArchive(archive, files);
    }
    return scanFolder(input, files);
  }

  private static List<Cifar10Batch> scanFolder(String dir, HadoopFiles files) {
    Map<String, Long> sizes = new LinkedHashMap<>();
    Map<String, String> paths = new LinkedHashMap<>();
    for (String name : Cifar10Format.allBatches()) {
      String path = HadoopFiles.child(dir, name);
      if (files.exists(path)) {
        sizes.put(name, files.length(path));
        paths.put(name, path);
      }
    }
    return batches(dir, sizes, paths, null);
  }

  private static List<Cifar10Batch> scanArchive(String archive, HadoopFiles files) {
    Map<String, Long> sizes = new LinkedHashMap<>();
    Map<String, String> entries = new LinkedHashMap<>();
    try (TarArchiveInputStream tar = openTar(files.open(archive), archive)) {
      long headerOffset = 0;
      TarArchiveEntry e;
      while ((e = tar.getNextTarEntry()) != null) {
        ArchiveEntries.checkSafe(archive, e.getName(),
            "(at byte offset " + headerOffset + " of the uncompressed tar)");
        String base = ArchiveEntries.baseName(e.getName());
        if (e.isFile() && Cifar10Format.allBatches().contains(base)) {
          if (entries.containsKey(base)) {
            throw new BadInputException(archive + ": holds two entries named " + base + " ('"
                + entries.get(base) + "' and '" + e.getName() + "')");
          }
          sizes.put(base, e.getSize());
          entries.put(base, e.getName());
        }
        headerOffset = tar.getBytesRead();
      }
    } catch (IOException e) {
      throw new BadInputException(archive + ": cannot read the archive (" + e.getMessage()
          + "); is it a complete download of " + Cifar10Format.ARCHIVE + "?", e);
    }
    return batches(archive, sizes, null, entries);
  }

  private static List<Cifar10Batch> batches(String where, Map<String, Long> sizes, Map<String, String> paths,
      Map<String, String> entries) {
    List<String> missing = new ArrayList<>();
    for (String name : Cifar10Format.allBatches()) {
      if (!sizes.containsKey(name)) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw new BadInputException("data.input: " + where + " has no " + String.join(", ", missing)
          + "; expected the binary version of CIFAR-10 (" + Cifar10Format.ARCHIVE + ", or its "
          + Cifar10Format.FOLDER + " folder with data_batch_1.bin ... data_batch_5.bin and test_batch.bin)");
    }
    List<Cifar10Batch> out = new ArrayList<>();
    long trainIndex = 0;
    for (String name : Cifar10Format.allBatches()) {
      long size = sizes.get(name);
      String shown = entries == null ? paths.get(name) : where + "!" + entries.get(name);
      if (size == 0 || size % Cifar10Format.RECORD != 0) {
        throw new BadInputException(size == 0 ? shown + ": is empty"
            : Cifar10Format.incompleteMessage(shown, size));
      }
      long records = size / Cifar10Format.RECORD;
      boolean test = name.equals(Cifar10Format.TEST_BATCH);
      out.add(new Cifar10Batch(name, entries == null ? paths.get(name) : where,
          entries == null ? null : entries.get(name), records, test ? -1 : trainIndex));
      if (!test) {
        trainIndex += records;
      }
    }
    return out;
  }

  /** Reads all bytes of {@code batch}: the file, or its entry streamed out of the archive. */
  public static byte[] readAll(Cifar10Batch batch, HadoopFiles files) {
    try (InputStream raw = files.open(batch.path())) {
      if (batch.tarEntry() == null) {
        return raw.readAllBytes();
      }
      try (TarArchiveInputStream tar = openTar(raw, batch.path())) {
        TarArchiveEntry e;
        while ((e = tar.getNextTarEntry()) != null) {
          if (e.getName().equals(batch.tarEntry())) {
            return tar.readAllBytes();
          }
        }
      }
      throw new BadInputException(batch.path() + ": entry " + batch.tarEntry() + " disappeared");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + batch.path()
          + (batch.tarEntry() == null ? "" : "!" + batch.tarEntry()), e);
    }
  }

  private static TarArchiveInputStream openTar(InputStream raw, String archive) throws IOException {
    try {
      return new TarArchiveInputStream(new GZIPInputStream(new BufferedInputStream(raw, 1 << 16), 1 << 16));
    } catch (IOException e) {
      raw.close();
      throw new BadInputException(archive + ": not a gzip file (" + e.getMessage() + ")", e);
    }
  }
}
