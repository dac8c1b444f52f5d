package io.sparkvae.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster jar's native-library check accepts linux-x86_64 natives only, and says which are wrong. */
class NativeLibraryCheckTest {
  @TempDir Path dir;

  private Path jar(String... entries) throws IOException {
    Path jar = dir.resolve("app.jar");
    try (OutputStream f = Files.newOutputStream(jar); ZipOutputStream z = new ZipOutputStream(f)) {
      for (String e : entries) {
        z.putNextEntry(new ZipEntry(e));
        z.write(new byte[] {1, 2, 3});
        z.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void linuxNativesInEveryLayoutPass() throws Exception {
    Path jar = jar("io/sparkvae/Main.class",
        "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn-avx2/libnd4jcpu.so",
        "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn-avx2/libgomp.so.1",
        "org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so",
        "com/sun/jna/linux-x86-64/libjnidispatch.so",
        "META-INF/native/libnetty_transport_native_epoll_linux_x86_64.so");
    List<NativeLibraryCheck.Native> natives = NativeLibraryCheck.natives(jar, "linux-x86_64");
    assertEquals(5, natives.size());
    assertTrue(natives.stream().allMatch(NativeLibraryCheck.Native::expectedPlatform), natives.toString());
    Path listing = dir.resolve("natives.txt");
    NativeLibraryCheck.main(new String[] {jar.toString(), "linux-x86_64", listing.toString()});
    String text = Files.readString(listing);
    assertTrue(text.contains("5 native libraries"), text);
    assertTrue(text.contains("ok              3  com/sun/jna/linux-x86-64/libjnidispatch.so"), text);
  }

  @Test
  void otherPlatformsAndUnmarkedNativesFailTheBuildByName() throws Exception {
    Path jar = jar("org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so",
        "com/sun/jna/darwin/libjnidispatch.jnilib",
        "com/sun/jna/win32-x86-64/jnidispatch.dll",
        "com/sun/jna/linux-x86/libjnidispatch.so",
        "org/bytedeco/openblas/linux-arm64/libopenblas.so.0",
        "libloose.so");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> NativeLibraryCheck.main(
        new String[] {jar.toString(), "linux-x86_64", dir.resolve("n.txt").toString()}));
    for (String bad : List.of("com/sun/jna/darwin/libjnidispatch.jnilib", "com/sun/jna/win32-x86-64/jnidispatch.dll",
        "com/sun/jna/linux-x86/libjnidispatch.so", "org/bytedeco/openblas/linux-arm64/libopenblas.so.0",
        "libloose.so")) {
      assertTrue(e.getMessage().contains("\n  " + bad), e.getMessage());
    }
    assertFalse(e.getMessage().contains("libjnijavacpp"), e.getMessage());
  }

  @Test
  void classesAndTextAreNotNatives() {
    assertFalse(NativeLibraryCheck.isNative("org/nd4j/Nd4j.class"));
    assertFalse(NativeLibraryCheck.isNative("META-INF/native-image/linux-x86_64/jnind4jcpu/jni-config.json"));
    assertFalse(NativeLibraryCheck.isNative("data/alpha.a.txt"));
    assertTrue(NativeLibraryCheck.isNative("com/sun/jna/aix-ppc/libjnidispatch.a"));
  }
}
