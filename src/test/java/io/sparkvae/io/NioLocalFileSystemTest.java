package io.sparkvae.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local file system without chmod processes leaves exactly what Hadoop's own leaves on disk. */
class NioLocalFileSystemTest {
  @TempDir java.nio.file.Path tmp;

  @Test
  void everyModeWithoutTheStickyBitMapsToTheSameNineBits() {
    for (short mode = 0; mode < 01000; mode++) {
      FsPermission p = new FsPermission(mode);
      assertEquals(p.toString(), PosixFilePermissions.toString(NioLocalFileSystem.posix(p)), "mode " + mode);
    }
  }

  @Test
  void filesDirectoriesChecksumsAndPermissionsAreHadoopsOwn() throws IOException {
    Configuration conf = new Configuration(false);
    conf.set("fs.file.impl", NioLocalFileSystem.class.getName());
    conf.setBoolean("fs.file.impl.disable.cache", true);
    try (FileSystem ours = FileSystem.get(URI.create("file:///"), conf);
        FileSystem hadoops = FileSystem.newInstance(URI.create("file:///"), new Configuration(false))) {
      assertInstanceOf(NioLocalFileSystem.class, ours);
      assertEquals(LocalFileSystem.class, hadoops.getClass());
      assertEquals(tree(hadoops, tmp.resolve("hadoop")), tree(ours, tmp.resolve("ours")));
    }
  }

  /** Directories and files made with explicit permissions, one changed afterwards: each path and its mode. */
  private static List<String> tree(FileSystem fs, java.nio.file.Path root) throws IOException {
    Path base = new Path(root.toUri());
    fs.mkdirs(new Path(base, "a/b"), new FsPermission((short) 0750));
    fs.mkdirs(new Path(base, "c"));
    try (FSDataOutputStream out = fs.create(new Path(base, "a/b/part-0"), new FsPermission((short) 0640), false,
        4096, (short) 1, 1 << 20, null)) {
      out.write(new byte[] {1, 2, 3});
    }
    try (FSDataOutputStream out = fs.create(new Path(base, "c/_SUCCESS"))) {
      out.write(4);
    }
    fs.setPermission(new Path(base, "c/_SUCCESS"), new FsPermission((short) 0604));
    List<String> entries = new ArrayList<>();
    try (Stream<java.nio.file.Path> paths = Files.walk(root)) {
      for (java.nio.file.Path p : paths.sorted().toList()) {
        entries.add(root.relativize(p) + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
            + (Files.isRegularFile(p) ? " " + Files.size(p) + " bytes" : ""));
      }
    }
    return entries;
  }
}
