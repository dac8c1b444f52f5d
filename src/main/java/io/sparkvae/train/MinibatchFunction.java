package io.sparkvae.train;

import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import io.sparkvae.model.vqvae.VqVaeGraphs;
import io.sparkvae.model.vqvae.VqVaeSpec;
import java.io.Serializable;
import java.util.Iterator;
import org.apache.spark.api.java.function.Function2;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * On an executor: shuffles a partition's images (seeded by epoch and partition) into minibatches that keep the
 * images' bytes and build their arrays only when fitted ({@link CompactMinibatch}).
 */
public final class MinibatchFunction
    implements Function2<Integer, Iterator<byte[]>, Iterator<MultiDataSet>> {
  /** Features and labels of one minibatch of images [N,C,H,W] in [0,1], as the model's graph wants them. */
  public interface BatchMaker extends Serializable {
    MultiDataSet make(INDArray images);
  }

  private final ImageShape shape;
  private final BatchMaker maker;
  private final int batchSize;
  private final long seed;

  public MinibatchFunction(ImageShape shape, BatchMaker maker, int batchSize, long seed) {
    this.shape = shape;
    this.maker = maker;
    this.batchSize = batchSize;
    this.seed = seed;
  }

  /** Minibatches for the VAE's training graph (labels: the images and the KL output's zeros). */
  public MinibatchFunction(VaeSpec spec, int batchSize, long seed) {
    this(new ImageShape(spec.height(), spec.width(), spec.channels()),
        images -> VaeGraphs.toMultiDataSet(images, spec), batchSize, seed);
  }

  /** Minibatches for the VQ-VAE's training graph (labels: the images). */
  public MinibatchFunction(VqVaeSpec spec, int batchSize, long seed) {
    this(new ImageShape(spec.height(), spec.width(), spec.channels()), VqVaeGraphs::toMultiDataSet,
        batchSize, seed);
  }

  @Override
  public Iterator<MultiDataSet> call(Integer partition, Iterator<byte[]> images) {
    ImageShape s = shape;
    BatchMaker m = maker;
    return ShuffledBatches.of(images, seed, partition, batchSize,
        chunk -> m.make(ImageTensors.toBatch(chunk, s.height(), s.width(), s.channels())));
  }
}
