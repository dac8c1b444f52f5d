package io.sparkvae.data;

/** Checks on the entry names of tar and zip archives read by {@code prepare}. */
public final class ArchiveEntries {
  private ArchiveEntries() {}

  /**
   * Refuses an entry whose name would land outside the folder the archive is extracted into (an absolute
   * name, a drive letter, or a {@code ..} component): such an archive was not made by the dataset's owners,
   * and a user who later extracts it by hand would write outside the target folder ("zip slip").
   */
  public static void checkSafe(String archive, String entryName, String where) {
    String name = entryName.replace('\\', '/');
    boolean unsafe = name.startsWith("/") || name.matches("^[A-Za-z]:.*");
    for (String part : name.split("/")) {
      unsafe |= part.equals("..");
    }
    if (unsafe) {
      throw new BadInputException(archive + ": entry '" + entryName + "' " + where
          + " escapes the folder the archive extracts into; refusing to read this archive "
          + "(download it again from the official source)");
    }
  }

  /** The last component of an entry name. */
  public static String baseName(String entryName) {
    String name = entryName.replace('\\', '/');
    return name.substring(name.lastIndexOf('/') + 1);
  }
}
