package io.sparkvae.train;

import io.sparkvae.data.SplitAssigner;
import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.function.Function2;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** On an executor: shuffles a partition's images (seeded by epoch and partition) into minibatches. */
public final class MinibatchFunction
    implements Function2<Integer, Iterator<byte[]>, Iterator<MultiDataSet>> {
  private final VaeSpec spec;
  private final int batchSize;
  private final long seed;

  public MinibatchFunction(VaeSpec spec, int batchSize, long seed) {
    this.spec = spec;
    this.batchSize = batchSize;
    this.seed = seed;
  }

  @Override
  public Iterator<MultiDataSet> call(Integer partition, Iterator<byte[]> images) {
    List<byte[]> all = new ArrayList<>();
    images.forEachRemaining(all::add);
    Collections.shuffle(all, new Random(SplitAssigner.mix64(seed, partition)));
    List<MultiDataSet> batches = new ArrayList<>();
    for (int from = 0; from < all.size(); from += batchSize) {
      List<byte[]> chunk = all.subList(from, Math.min(all.size(), from + batchSize));
      batches.add(VaeGraphs.toMultiDataSet(
          ImageTensors.toBatch(chunk, spec.height(), spec.width(), spec.channels()), spec));
    }
    return batches.iterator();
  }
}
