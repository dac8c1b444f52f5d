package io.sparkvae.sample;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.BiFunction;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Sample rows of {@link io.sparkvae.io.Schemas#SAMPLES} in Spark's internal form, made block by block as the Parquet writer asks for them.
 *
 * <p>Why internal rows: built as {@code Row}s, every sample's latent was a Scala Seq of boxed floats that Spark then
 * converted element by element; an {@link UnsafeArrayData} is one copy of the float array. Why block by block: a
 * partition's rows never all sit on the heap at once (a million samples over two partitions would be gigabytes).
 * {@link SampleJob#frame} makes them a table.
 */
final class SampleRows {
  private SampleRows() {}

  /** A VAE sample: its latent is {@code latents[offset .. offset + length)}. */
  static InternalRow vae(UTF8String runId, long id, long seed, int h, int w, int c, byte[] png, float[] latents,
      int offset, int length) {
    return new GenericInternalRow(new Object[] {runId, VAE, id, seed, h, w, c, png,
        UnsafeArrayData.fromPrimitiveArray(latents, Platform.FLOAT_ARRAY_OFFSET + 4 * offset, length, 4), null, null,
        null});
  }

  /** A VQ-VAE sample with its code grid. */
  static InternalRow vq(UTF8String runId, long id, long seed, int h, int w, int c, byte[] png, int[] codes,
      int codeHeight, int codeWidth) {
    return new GenericInternalRow(new Object[] {runId, VQVAE, id, seed, h, w, c, png, null,
        UnsafeArrayData.fromPrimitiveArray(codes), codeHeight, codeWidth});
  }

  private static final UTF8String VAE = UTF8String.fromString("vae");
  private static final UTF8String VQVAE = UTF8String.fromString("vqvae");

  /**
   * The rows of {@code blocks}, each block's made by {@code block.apply(first id, count)} only when the rows before
   * it are consumed. {@code resources} is closed once the rows run out, or when the task ends (failed or not).
   */
  static Iterator<InternalRow> byBlock(Iterator<Integer> blocks, int blockSize, long count,
      BiFunction<Long, Integer, List<InternalRow>> block, AutoCloseable resources) {
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) context -> close(resources));
    }
    return new Iterator<>() {
      private Iterator<InternalRow> current = List.<InternalRow>of().iterator();
      private boolean closed;

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && blocks.hasNext()) {
          long from = (long) blocks.next() * blockSize;
          current = block.apply(from, (int) Math.min(blockSize, count - from)).iterator();
        }
        if (!current.hasNext() && !closed) {
          closed = true;
          close(resources);
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

  private static void close(AutoCloseable resources) {
    try {
      resources.close();
    } catch (Exception e) {
      throw new IllegalStateException("could not release the sampling task's resources", e);
    }
  }
}
