package io.sparkvae.data.cifar;

import io.sparkvae.data.BadInputException;
import io.sparkvae.data.SplitAssigner;
import io.sparkvae.io.HadoopFiles;
import java.io.Serializable;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.SerializableConfiguration;

/** Turns one batch file into prepared-schema rows on an executor: labels kept, pixels reordered to HWC. */
public final class Cifar10Rows implements Serializable {
  private final SerializableConfiguration hadoop;
  private final BitSet valIndices;

  /**
   * @param valIndices the training indices (over batches 1-5 in order) that go to the val split
   */
  public Cifar10Rows(SerializableConfiguration hadoop, BitSet valIndices) {
    this.hadoop = hadoop;
    this.valIndices = valIndices;
  }

  /**
   * Picks {@code valCount} of {@code trainTotal} training indices, the same ones for the same seed: the
   * indices with the smallest hash of (seed, index). Exactly {@code valCount}, unlike a per-row coin flip.
   */
  public static BitSet chooseVal(long trainTotal, int valCount, long seed) {
    if (valCount > trainTotal) {
      throw new BadInputException("data.cifar10.val-count: " + valCount + " is more than the "
          + trainTotal + " training images");
    }
    long[] keyed = new long[(int) trainTotal];
    for (int i = 0; i < keyed.length; i++) {
      // high bits: the hash; low 20 bits: the index (CIFAR has 50,000 < 2^20 training images)
      keyed[i] = (SplitAssigner.mix64(seed, i) & ~0xFFFFFL) | i;
    }
    Arrays.sort(keyed);
    BitSet val = new BitSet((int) trainTotal);
    for (int i = 0; i < valCount; i++) {
      val.set((int) (keyed[i] & 0xFFFFF));
    }
    return val;
  }

  /** The rows of {@code batch}; fails naming the file and byte offset on a label outside 0-9. */
  public Iterator<Row> rows(Cifar10Batch batch) {
    byte[] data = Cifar10Input.readAll(batch, new HadoopFiles(hadoop.value()));
    if (data.length != batch.records() * Cifar10Format.RECORD) {
      throw new BadInputException(batch.path() + ": " + batch.name() + " changed while being read ("
          + data.length + " bytes, expected " + batch.records() * Cifar10Format.RECORD + ")");
    }
    return new Iterator<>() {
      private int next = 0;

      @Override
      public boolean hasNext() {
        return next < batch.records();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int record = next++;
        int offset = record * Cifar10Format.RECORD;
        int label = data[offset] & 0xFF;
        if (label >= Cifar10Format.CLASSES) {
          throw new BadInputException(batch.path() + (batch.tarEntry() == null ? "" : "!" + batch.tarEntry())
              + ": record " + record + " at byte offset " + offset + " has label " + label
              + "; CIFAR-10 labels are 0-9 (is this the CIFAR-100 binary version?)");
        }
        String split = batch.isTest() ? SplitAssigner.TEST
            : valIndices.get((int) (batch.firstTrainIndex() + record)) ? SplitAssigner.VAL
            : SplitAssigner.TRAIN;
        return RowFactory.create(String.format("%s:%05d", batch.stem(), record), split, label, null,
            Cifar10Format.SIDE, Cifar10Format.SIDE, Cifar10Format.CHANNELS,
            Cifar10Format.toHwc(data, offset), null);
      }
    };
  }
}
