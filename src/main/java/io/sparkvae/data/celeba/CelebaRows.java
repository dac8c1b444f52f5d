package io.sparkvae.data.celeba;

import io.sparkvae.config.CelebaConfig;
import io.sparkvae.data.Reject;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.SparkRows;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Decodes one partition of CelebA items on an executor into prepared-schema rows. The zip, when the images
 * come in one, is opened once per partition; an image that does not decode is not a row but a
 * {@link Reject} added to an accumulator the driver reads after the write.
 */
public final class CelebaRows implements Serializable {
  private final SerializableConfiguration hadoop;
  private final String images;
  private final boolean zip;
  private final CelebaConfig config;
  private final CollectionAccumulator<Reject> rejects;

  public CelebaRows(SerializableConfiguration hadoop, CelebaInput input, CelebaConfig config,
      CollectionAccumulator<Reject> rejects) {
    this.hadoop = hadoop;
    this.images = input.images();
    this.zip = input.zip();
    this.config = config;
    this.rejects = rejects;
  }

  /** Lazily decodes {@code items}; each good image is one row, each bad one a reject. */
  public Iterator<Row> rows(Iterator<CelebaItem> items) {
    HadoopFiles files = new HadoopFiles(hadoop.value());
    ImageSource source = zip ? new ZipSource(files, images) : new FileSource(files);
    TaskContext task = TaskContext.get();
    if (task != null) {
      TaskCompletionListener close = ctx -> source.closeQuietly();
      task.addTaskCompletionListener(close);
    }
    CelebaImageDecoder decoder = new CelebaImageDecoder(config.cropSize(), config.imageSize());
    int side = config.imageSize();
    return new Iterator<>() {
      private Row next;

      @Override
      public boolean hasNext() {
        while (next == null && items.hasNext()) {
          CelebaItem item = items.next();
          String where = CelebaInput.location(images, zip, item.source());
          try {
            byte[] pixels = decoder.decode(source.read(item.source()));
            next = RowFactory.create(item.name(), item.split(), null, SparkRows.seq(boxed(item.attributes())),
                side, side, 3, pixels, null);
          } catch (RejectedImageException e) {
            rejects.add(new Reject(where, e.reason()));
          } catch (IOException e) {
            rejects.add(new Reject(where, "cannot be read: " + e.getMessage()));
          }
        }
        if (next == null) {
          source.closeQuietly();
        }
        return next != null;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Row r = next;
        next = null;
        return r;
      }
    };
  }

  private static List<Integer> boxed(int[] values) {
    List<Integer> out = new ArrayList<>(values.length);
    for (int v : values) {
      out.add(v);
    }
    return out;
  }

  /** Where an item's bytes come from. */
  private interface ImageSource extends Closeable {
    byte[] read(String source) throws IOException;

    default void closeQuietly() {
      try {
        close();
      } catch (IOException e) {
        // nothing was written through it; a failed close loses nothing
      }
    }
  }

  private record FileSource(HadoopFiles files) implements ImageSource {
    @Override
    public byte[] read(String source) throws IOException {
      try (InputStream in = files.open(source)) {
        return in.readAllBytes();
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }

    @Override
    public void close() {}
  }

  private static final class ZipSource implements ImageSource {
    private final HadoopFiles files;
    private final String path;
    private ZipFile zip;

    ZipSource(HadoopFiles files, String path) {
      this.files = files;
      this.path = path;
    }

    @Override
    public byte[] read(String entryName) throws IOException {
      if (zip == null) {
        zip = new ZipFile(new HadoopSeekableChannel(files.fs(path), new Path(path)), path, "UTF-8", true, true);
      }
      ZipArchiveEntry entry = zip.getEntry(entryName);
      if (entry == null) {
        throw new IOException("entry " + entryName + " is no longer in " + path);
      }
      try (InputStream in = zip.getInputStream(entry)) {
        return in.readAllBytes();
      }
    }

    @Override
    public void close() throws IOException {
      if (zip != null) {
        zip.close();
        zip = null;
      }
    }
  }
}
