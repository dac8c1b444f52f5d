package io.sparkvae.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file:}), with permissions set through {@code java.nio} instead of a
 * {@code chmod} process. Without Hadoop's native library (not shipped in Maven artifacts, so absent wherever this
 * application runs from its jar), {@link RawLocalFileSystem#setPermission} forks {@code chmod} for every directory
 * it makes and every file it creates: 12 processes for a sampling job's Parquet output of two files, each fork of
 * a JVM of a few GB costing milliseconds, on the task's thread. {@code SparkSessions} installs this as
 * {@code spark.hadoop.fs.file.impl} unless the user names another; only {@code file:} paths are affected.
 *
 * <p>A permission with the sticky bit, which {@code java.nio} cannot set, and a file system without POSIX
 * permissions are left to Hadoop's own implementation. Files and checksums are otherwise exactly Hadoop's.
 */
public class NioLocalFileSystem extends LocalFileSystem {
  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** The raw (checksum-less) file system underneath: {@link RawLocalFileSystem} with the permission change. */
  public static class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      if (permission.getStickyBit()) {
        super.setPermission(p, permission);
        return;
      }
      try {
        Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(permission));
      } catch (UnsupportedOperationException e) {
        super.setPermission(p, permission);
      }
    }
  }

  /**
   * The nine rwx bits of a permission without the sticky bit: its symbolic form ({@code rwxr-x---}) is the one
   * {@code java.nio} parses.
   */
  static Set<PosixFilePermission> posix(FsPermission permission) {
    return PosixFilePermissions.fromString(permission.toString());
  }
}
