package io.sparkvae.build;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The cluster jar's build check (run by exec-maven-plugin in the {@code package} phase): lists every native
 * library in the jar with its size, writes the listing to a file, and fails when one is for another platform
 * than the expected one, or names no platform at all.
 *
 * <p>A native is recognised by its file name ({@code .so}, {@code .so.N}, {@code .dll}, {@code .dylib},
 * {@code .jnilib}, and static archives {@code .a}). Its platform is read from the folders on its path, which
 * is how JavaCPP ({@code .../linux-x86_64[-extension]/lib.so}) and JNA ({@code com/sun/jna/linux-x86-64/})
 * lay them out; netty's {@code META-INF/native/} names carry the platform in the file name instead.
 */
public final class NativeLibraryCheck {
  private NativeLibraryCheck() {}

  /** One native library in the jar, and whether it is for the expected platform. */
  public record Native(String path, long bytes, boolean expectedPlatform) {}

  /** Arguments: JAR PLATFORM LISTING_FILE, e.g. target/spark-vae-cluster.jar linux-x86_64 target/natives.txt. */
  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: NativeLibraryCheck JAR PLATFORM LISTING_FILE");
    }
    Path jar = Path.of(args[0]);
    String listing = check(jar, args[1]);
    Files.writeString(Path.of(args[2]), listing, StandardCharsets.UTF_8);
    PrintStream out = System.out;
    out.print(listing);
    List<Native> wrong = natives(jar, args[1]).stream().filter(n -> !n.expectedPlatform()).toList();
    if (!wrong.isEmpty()) {
      StringBuilder b = new StringBuilder("the cluster jar holds native libraries that are not for " + args[1]
          + " (exclude them in the shade plugin's filters):");
      wrong.forEach(n -> b.append("\n  ").append(n.path()));
      throw new IllegalStateException(b.toString());
    }
  }

  /** The listing: the jar's size, then each native's size and path, then the total; never throws on content. */
  public static String check(Path jar, String platform) throws IOException {
    List<Native> natives = natives(jar, platform);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%s: %,d bytes (%.1f MB), %d native libraries:%n",
        jar.getFileName(), Files.size(jar), Files.size(jar) / 1e6, natives.size()));
    long total = 0;
    for (Native n : natives) {
      b.append(String.format(Locale.ROOT, "  %-3s %,13d  %s%n", n.expectedPlatform() ? "ok" : "BAD", n.bytes(),
          n.path()));
      total += n.bytes();
    }
    b.append(String.format(Locale.ROOT, "  natives uncompressed: %,d bytes%n", total));
    return b.toString();
  }

  /** Every native library in the jar, sorted by path. */
  public static List<Native> natives(Path jar, String platform) throws IOException {
    List<Native> found = new ArrayList<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (ZipEntry e : Collections.list(zip.entries())) {
        if (!e.isDirectory() && isNative(e.getName())) {
          found.add(new Native(e.getName(), e.getSize(), isFor(e.getName(), platform)));
        }
      }
    }
    found.sort((a, b) -> a.path().compareTo(b.path()));
    return found;
  }

  static boolean isNative(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return name.endsWith(".so") || name.matches(".*\\.so(\\.\\d+)+") || name.endsWith(".dll")
        || name.endsWith(".dylib") || name.endsWith(".jnilib") || (name.endsWith(".a") && name.startsWith("lib"));
  }

  /**
   * Whether a native's path names the platform: a folder equal to it or starting with it and a dash (JavaCPP's
   * extensions such as {@code linux-x86_64-onednn-avx2}), JNA's spelling with dashes only, or, under
   * {@code META-INF/native/}, a file name carrying it with underscores (netty).
   */
  static boolean isFor(String path, String platform) {
    String jna = platform.replace('_', '-');
    String[] parts = path.split("/");
    for (int i = 0; i < parts.length - 1; i++) {
      String dir = parts[i];
      if (dir.equals(platform) || dir.startsWith(platform + "-") || dir.equals(jna)) {
        return true;
      }
    }
    String file = parts[parts.length - 1];
    return path.startsWith("META-INF/native/") && file.contains(platform.replace('-', '_'));
  }
}
