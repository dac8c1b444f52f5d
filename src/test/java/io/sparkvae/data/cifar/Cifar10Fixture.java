package io.sparkvae.data.cifar;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A small CIFAR-10 in exactly the official binary format: {@code cifar-10-batches-bin/} with six batch files
 * of {@code records} records each (label byte + 1024 R + 1024 G + 1024 B) and {@code batches.meta.txt}, and
 * optionally the {@code cifar-10-binary.tar.gz} of that folder.
 */
public final class Cifar10Fixture {
  public static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat", "deer",
      "dog", "frog", "horse", "ship", "truck");

  private final int records;
  private final long seed;

  public Cifar10Fixture(int records, long seed) {
    this.records = records;
    this.seed = seed;
  }

  /** Label of record {@code i} of batch {@code batch} (0-4 training, 5 test). */
  public static int label(int batch, int i) {
    return (batch * 7 + i * 3) % 10;
  }

  /** The 3,073 bytes of one record: its label and planar pixels, a gradient plus noise per channel. */
  public byte[] record(int batch, int i) {
    Random rng = new Random(seed * 1_000_003L + batch * 10_007L + i);
    byte[] r = new byte[Cifar10Format.RECORD];
    r[0] = (byte) label(batch, i);
    for (int c = 0; c < 3; c++) {
      for (int p = 0; p < 1024; p++) {
        int v = (p % 32) * 4 + c * 40 + rng.nextInt(40) + (label(batch, i) * 5);
        r[1 + c * 1024 + p] = (byte) Math.min(255, v);
      }
    }
    return r;
  }

  public byte[] batchBytes(int batch) {
    byte[] out = new byte[records * Cifar10Format.RECORD];
    for (int i = 0; i < records; i++) {
      System.arraycopy(record(batch, i), 0, out, i * Cifar10Format.RECORD, Cifar10Format.RECORD);
    }
    return out;
  }

  /** Writes {@code parent/cifar-10-batches-bin/} and returns that folder. */
  public Path writeFolder(Path parent) throws IOException {
    Path dir = Files.createDirectories(parent.resolve(Cifar10Format.FOLDER));
    List<String> names = Cifar10Format.allBatches();
    for (int b = 0; b < names.size(); b++) {
      Files.write(dir.resolve(names.get(b)), batchBytes(b));
    }
    Files.writeString(dir.resolve("batches.meta.txt"), String.join("\n", CLASS_NAMES) + "\n\n",
        StandardCharsets.US_ASCII);
    return dir;
  }

  /**
   * Writes {@code file} as the official archive of {@code folder} (entries {@code cifar-10-batches-bin/...});
   * {@code extraEntries} adds entries with arbitrary names, e.g. one escaping the folder.
   */
  public static Path writeTarGz(Path folder, Path file, String... extraEntries) throws IOException {
    try (OutputStream raw = Files.newOutputStream(file);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(raw))) {
      List<Path> children = new ArrayList<>();
      try (var s = Files.list(folder)) {
        s.sorted().forEach(children::add);
      }
      TarArchiveEntry dirEntry = new TarArchiveEntry(Cifar10Format.FOLDER + "/");
      tar.putArchiveEntry(dirEntry);
      tar.closeArchiveEntry();
      for (Path child : children) {
        byte[] bytes = Files.readAllBytes(child);
        TarArchiveEntry e = new TarArchiveEntry(Cifar10Format.FOLDER + "/" + child.getFileName());
        e.setSize(bytes.length);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
      }
      for (String name : extraEntries) {
        byte[] bytes = "not cifar".getBytes(StandardCharsets.US_ASCII);
        TarArchiveEntry e = new TarArchiveEntry(name, true); // preserve the name as given
        e.setSize(bytes.length);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
      }
    }
    return file;
  }
}
