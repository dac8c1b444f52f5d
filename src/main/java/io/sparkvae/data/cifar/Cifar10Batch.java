package io.sparkvae.data.cifar;

import java.io.Serializable;

/**
 * One batch file of the input.
 *
 * @param name the batch's file name, e.g. {@code data_batch_3.bin}; row ids are {@code data_batch_3:00042}
 * @param path the file itself, or the {@code .tar.gz} that holds it
 * @param tarEntry the entry's name inside the archive; null when {@code path} is the batch file
 * @param records number of 3,073-byte records
 * @param firstTrainIndex index of the first record among all training records (batches 1-5 in order);
 *     -1 for the test batch
 */
public record Cifar10Batch(String name, String path, String tarEntry, long records, long firstTrainIndex)
    implements Serializable {

  public boolean isTest() {
    return firstTrainIndex < 0;
  }

  /** The batch name without {@code .bin}, used in row ids. */
  public String stem() {
    return name.endsWith(".bin") ? name.substring(0, name.length() - 4) : name;
  }
}
