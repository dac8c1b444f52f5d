package io.sparkvae.train;

import io.sparkvae.data.SplitAssigner;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A partition's examples, held in their compact form (image bytes, code grids) and shuffled by a seed of
 * (epoch, partition), cut into minibatches that stay compact ({@link CompactMinibatch}) until the trainer asks a
 * minibatch for its arrays: dl4j-spark caches and scans them cheaply, and only the minibatches being fitted exist
 * as floats.
 */
public final class ShuffledBatches {
  private ShuffledBatches() {}

  public static <T extends Serializable> Iterator<MultiDataSet> of(Iterator<T> examples, long seed, int partition,
      int batchSize, CompactMinibatch.Maker<T> maker) {
    List<T> all = new ArrayList<>();
    examples.forEachRemaining(all::add);
    Collections.shuffle(all, new Random(SplitAssigner.mix64(seed, partition)));
    return new Iterator<>() {
      private int from = 0;

      @Override
      public boolean hasNext() {
        return from < all.size();
      }

      @Override
      public MultiDataSet next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        List<T> chunk = all.subList(from, Math.min(all.size(), from + batchSize));
        from += chunk.size();
        return new CompactMinibatch<>(chunk, maker);
      }
    };
  }
}
