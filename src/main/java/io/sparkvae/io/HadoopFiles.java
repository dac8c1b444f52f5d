package io.sparkvae.io;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Small file operations over the Hadoop FileSystem API, so every path may be local, hdfs:// or s3a://. Not final:
 * {@code validate} looks at the files through a subclass that adds the outputs of a pipeline's earlier steps.
 */
public class HadoopFiles {
  private final Configuration conf;

  public HadoopFiles(Configuration conf) {
    this.conf = conf;
  }

  /**
   * For use before Spark starts (preflight checks): Hadoop's defaults plus every {@code spark.hadoop.*} setting
   * spark-submit passed (as system properties), as Spark itself applies them, so that the checks reach the same
   * file systems the job will, e.g. S3 with credentials given as {@code --conf spark.hadoop.fs.s3a.*}.
   */
  public static HadoopFiles local() {
    return new HadoopFiles(withSparkHadoopSettings(new Configuration(), System.getProperties()));
  }

  /** The Hadoop configuration this reaches its file systems with. */
  public Configuration configuration() {
    return conf;
  }

  static Configuration withSparkHadoopSettings(Configuration conf, Properties properties) {
    String prefix = "spark.hadoop.";
    for (String key : properties.stringPropertyNames()) {
      if (key.startsWith(prefix) && key.length() > prefix.length()) {
        conf.set(key.substring(prefix.length()), properties.getProperty(key));
      }
    }
    return conf;
  }

  public FileSystem fs(String path) {
    try {
      return new Path(path).getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the file system of " + path, e);
    }
  }

  public boolean exists(String path) {
    try {
      return fs(path).exists(new Path(path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
  }

  /** The fully qualified form of {@code path} (scheme and absolute path). */
  public String qualify(String path) {
    return fs(path).makeQualified(new Path(path)).toString();
  }

  public void mkdirs(String path) {
    try {
      fs(path).mkdirs(new Path(path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + path, e);
    }
  }

  public void delete(String path) {
    try {
      fs(path).delete(new Path(path), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path, e);
    }
  }

  /** A sibling path for temporary output that is renamed into place when complete. */
  public static String temporarySibling(String path) {
    Path p = new Path(path);
    return new Path(p.getParent(), p.getName() + ".tmp-" + UUID.randomUUID()).toString();
  }

  /**
   * The {@link #temporarySibling}s of {@code path} that exist: what attempts that never reached their rename (a
   * killed driver) left beside it, or one being written now.
   */
  public List<String> temporarySiblings(String path) {
    Path p = new Path(path);
    Path parent = p.getParent();
    if (parent == null || !isDirectory(parent.toString())) {
      return List.of();
    }
    Pattern tmp = Pattern.compile(Pattern.quote(p.getName() + ".tmp-") + "[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");
    return list(parent.toString()).stream().filter(name -> tmp.matcher(name).matches())
        .map(name -> new Path(parent, name).toString()).toList();
  }

  /** Writes {@code bytes} to a temporary sibling, then renames it over {@code path}. */
  public void writeAtomically(String path, byte[] bytes) {
    String tmp = temporarySibling(path);
    FileSystem fs = fs(path);
    try {
      fs.mkdirs(new Path(path).getParent());
      try (OutputStream out = fs.create(new Path(tmp), true)) {
        out.write(bytes);
      }
      replace(tmp, path);
    } catch (IOException e) {
      delete(tmp);
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  public void writeString(String path, String text) {
    writeAtomically(path, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Renames {@code from} onto {@code to}, deleting what was at {@code to} first. */
  public void replace(String from, String to) {
    FileSystem fs = fs(to);
    try {
      Path target = new Path(to);
      if (fs.exists(target)) {
        fs.delete(target, true);
      }
      fs.mkdirs(target.getParent());
      if (!fs.rename(new Path(from), target)) {
        throw new IOException("rename " + from + " -> " + to + " returned false");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + from + " to " + to, e);
    }
  }

  /** Opens {@code path} for reading; the caller closes the stream. */
  public InputStream open(String path) {
    try {
      return fs(path).open(new Path(path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + path, e);
    }
  }

  public boolean isDirectory(String path) {
    try {
      return fs(path).getFileStatus(new Path(path)).isDirectory();
    } catch (FileNotFoundException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
  }

  /** Size in bytes of the file at {@code path}. */
  public long length(String path) {
    try {
      return fs(path).getFileStatus(new Path(path)).getLen();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the size of " + path, e);
    }
  }

  /** Names (not paths) of the entries directly inside the directory {@code path}, sorted. */
  public List<String> list(String path) {
    try {
      List<String> names = new ArrayList<>();
      for (FileStatus s : fs(path).listStatus(new Path(path))) {
        names.add(s.getPath().getName());
      }
      Collections.sort(names);
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + path, e);
    }
  }

  /** {@code child} inside the directory {@code dir}. */
  public static String child(String dir, String child) {
    return new Path(new Path(dir), child).toString();
  }

  public byte[] readBytes(String path) {
    try (InputStream in = fs(path).open(new Path(path))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** The SHA-256 (hex) of the file at {@code path}, read as a stream. */
  public String sha256(String path) {
    try (InputStream in = open(path)) {
      return Hashes.sha256(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  public String readString(String path) {
    return new String(readBytes(path), StandardCharsets.UTF_8);
  }
}
