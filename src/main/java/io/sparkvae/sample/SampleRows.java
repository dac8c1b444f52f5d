package io.sparkvae.sample;

import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.io.images.PngEncoder;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.BiFunction;
import org.apache.spark.TaskContext;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.TaskCompletionListener;

/**
 * One partition's sample rows of {@link io.sparkvae.io.Schemas#SAMPLES} in Spark's internal form, made block by
 * block as the Parquet writer asks for them, each image going from the decoder's float output straight into its PNG.
 *
 * <p>Why internal rows: built as {@code Row}s, every sample's latent was a Scala Seq of boxed floats that Spark then
 * converted element by element; an {@link UnsafeArrayData} is one copy of the float array. Why block by block: a
 * partition's rows never all sit on the heap at once (a million samples over two partitions would be gigabytes).
 * {@link io.sparkvae.io.PartitionParquet} writes them.
 */
final class SampleRows {
  private static final UTF8String VAE = UTF8String.fromString("vae");
  private static final UTF8String VQVAE = UTF8String.fromString("vqvae");

  private final UTF8String runId;
  private final int h;
  private final int w;
  private final int c;
  // stored deflate blocks: the Parquet file's zstd compresses the PNGs
  private final PngEncoder png = PngEncoder.stored();

  /** Rows of run {@code runId} whose images are {@code h x w x c}. */
  SampleRows(String runId, int h, int w, int c) {
    this.runId = UTF8String.fromString(runId);
    this.h = h;
    this.w = w;
    this.c = c;
  }

  /**
   * A VAE sample: image {@code i} of the decoded {@code images} (interleaved, as {@link ImageTensors#hwcValues}
   * gives them), latent {@code latents[i * d .. (i + 1) * d)}.
   */
  InternalRow vae(float[] images, int i, long id, long seed, float[] latents, int d) {
    return new GenericInternalRow(new Object[] {runId, VAE, id, seed, h, w, c, png(images, i),
        UnsafeArrayData.fromPrimitiveArray(latents, Platform.FLOAT_ARRAY_OFFSET + 4 * i * d, d, 4), null, null,
        null});
  }

  /** A VQ-VAE sample: image {@code i} of the decoded interleaved {@code images}, with its code grid. */
  InternalRow vq(float[] images, int i, long id, long seed, int[] codes, int codeHeight, int codeWidth) {
    return new GenericInternalRow(new Object[] {runId, VQVAE, id, seed, h, w, c, png(images, i), null,
        UnsafeArrayData.fromPrimitiveArray(codes), codeHeight, codeWidth});
  }

  private byte[] png(float[] images, int i) {
    return png.encodeHwc(images, i * h * w * c, h, w, c);
  }

  /**
   * The rows of {@code blocks}, each block's made by {@code block.apply(first id, count)} only when the rows before
   * it are consumed. The PNG encoder is released once the rows run out, or when the task ends (failed or not).
   */
  Iterator<InternalRow> byBlock(Iterator<Integer> blocks, int blockSize, long count, LongAccumulator progress,
      BiFunction<Long, Integer, List<InternalRow>> block) {
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) context -> png.close());
    }
    return new Iterator<>() {
      private Iterator<InternalRow> current = List.<InternalRow>of().iterator();
      private boolean closed;

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && blocks.hasNext()) {
          long from = (long) blocks.next() * blockSize;
          int n = (int) Math.min(blockSize, count - from);
          current = block.apply(from, n).iterator();
          if (progress != null) {
            progress.add(n);
          }
        }
        if (!current.hasNext() && !closed) {
          closed = true;
          png.close();
        }
        return current.hasNext();
      }

      @Override
      public InternalRow next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
  }
}
