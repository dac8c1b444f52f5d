package io.sparkvae.bench;

import io.sparkvae.cli.Main;
import io.sparkvae.data.celeba.CelebaFixture;
import io.sparkvae.data.celeba.CelebaImageDecoder;
import io.sparkvae.data.cifar.Cifar10Fixture;
import io.sparkvae.data.cifar.Cifar10Format;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Throughput of {@code prepare} on generated data in the official formats: CelebA-format 178x218 JPEGs
 * (decode, crop, resize, write) and CIFAR-10 binary batches in the tar.gz, through Spark local[2]; plus the
 * JPEG decode alone on one thread, to give a per-core figure. Prints {@code RESULT name value} lines;
 * bench/prepare.sh runs it and formats the table. Data generation is not timed.
 *
 * <pre>PrepareBenchmark celeba N | cifar RECORDS_PER_BATCH</pre>
 */
public final class PrepareBenchmark {
  private PrepareBenchmark() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "celeba";
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    Path tmp = Files.createTempDirectory("prepare-bench");
    try {
      switch (mode) {
        case "celeba" -> celeba(tmp, n);
        case "cifar" -> cifar(tmp, n);
        default -> throw new IllegalArgumentException("unknown mode " + mode + "; use celeba N or cifar N");
      }
    } finally {
      VaeBenchmark.deleteTree(tmp);
    }
  }

  static void celeba(Path tmp, int count) throws Exception {
    long t0 = System.nanoTime();
    CelebaFixture fixture = CelebaFixture.builder(tmp.resolve("raw")).count(count).seed(3).write();
    System.err.printf(Locale.ROOT, "generated %d JPEGs in %.1f s%n", count, (System.nanoTime() - t0) / 1e9);
    // one thread: read + decode + crop + resize of the same files, in memory after the first read
    List<byte[]> jpegs = new ArrayList<>();
    for (String name : fixture.listedNames().subList(0, Math.min(count, 1000))) {
      jpegs.add(Files.readAllBytes(fixture.imageDir().resolve(name)));
    }
    CelebaImageDecoder decoder = new CelebaImageDecoder(140, 64);
    for (byte[] j : jpegs) {
      decoder.decode(j); // warm-up
    }
    t0 = System.nanoTime();
    for (byte[] j : jpegs) {
      decoder.decode(j);
    }
    result("celeba-decode-1-thread", jpegs.size() / ((System.nanoTime() - t0) / 1e9));
    double seconds = prepare(tmp, "celeba", fixture.dir().toString());
    result("celeba-prepare-local2", count / seconds);
    result("celeba-prepare-per-core", count / seconds / 2);
    heapPeak();
  }

  static void cifar(Path tmp, int recordsPerBatch) throws Exception {
    Cifar10Fixture fixture = new Cifar10Fixture(recordsPerBatch, 3);
    Path archive = Cifar10Fixture.writeTarGz(fixture.writeFolder(tmp.resolve("raw")),
        tmp.resolve(Cifar10Format.ARCHIVE));
    double seconds = prepare(tmp, "cifar10", archive.toString());
    result("cifar-prepare-local2", 6.0 * recordsPerBatch / seconds);
    result("cifar-prepare-per-core", 6.0 * recordsPerBatch / seconds / 2);
    heapPeak();
  }

  /** Runs {@code prepare} in local[2] and returns its wall time in seconds, Spark start-up included. */
  private static double prepare(Path tmp, String dataset, String input) {
    long t0 = System.nanoTime();
    int code = Main.run(new String[] {"prepare", "--dataset", dataset, "--input", input,
        "--set", "output-root=" + tmp.resolve("out"), "--set", "spark.master=local[2]",
        "--set", "data.cifar10.val-count=" + ("cifar10".equals(dataset) ? 10 : 5000)}, System.out, System.err);
    if (code != 0) {
      throw new IllegalStateException("prepare failed with exit code " + code);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void heapPeak() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    result("heap-peak-mb", peak / 1048576.0);
    result("heap-max-mb", Runtime.getRuntime().maxMemory() / 1048576.0);
  }

  private static void result(String name, double value) {
    System.out.printf(Locale.ROOT, "RESULT %s %.1f%n", name, value);
  }
}
