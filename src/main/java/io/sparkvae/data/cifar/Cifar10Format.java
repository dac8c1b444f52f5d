package io.sparkvae.data.cifar;

import java.util.List;

/**
 * The official binary version of CIFAR-10 ({@code cifar-10-binary.tar.gz}): six files of 10,000 records, each
 * record one label byte (0-9) and 3,072 pixel bytes, the 1,024 red values of the 32x32 image in row-major
 * order, then the green, then the blue.
 */
public final class Cifar10Format {
  public static final int SIDE = 32;
  public static final int CHANNELS = 3;
  public static final int PIXELS = SIDE * SIDE * CHANNELS;
  public static final int RECORD = PIXELS + 1;
  public static final int CLASSES = 10;
  public static final List<String> TRAIN_BATCHES = List.of("data_batch_1.bin", "data_batch_2.bin",
      "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
  public static final String TEST_BATCH = "test_batch.bin";
  /** The folder inside the official archive. */
  public static final String FOLDER = "cifar-10-batches-bin";
  public static final String ARCHIVE = "cifar-10-binary.tar.gz";

  private Cifar10Format() {}

  /** Every batch file, training batches first. */
  public static List<String> allBatches() {
    return List.of(TRAIN_BATCHES.get(0), TRAIN_BATCHES.get(1), TRAIN_BATCHES.get(2),
        TRAIN_BATCHES.get(3), TRAIN_BATCHES.get(4), TEST_BATCH);
  }

  /** Converts the planar (CHW) pixels of the record starting at {@code recordOffset} to interleaved HWC. */
  public static byte[] toHwc(byte[] data, int recordOffset) {
    byte[] hwc = new byte[PIXELS];
    int plane = SIDE * SIDE;
    int src = recordOffset + 1;
    for (int p = 0; p < plane; p++) {
      hwc[3 * p] = data[src + p];
      hwc[3 * p + 1] = data[src + plane + p];
      hwc[3 * p + 2] = data[src + 2 * plane + p];
    }
    return hwc;
  }

  /** The message for a batch whose size is not a whole number of records. */
  static String incompleteMessage(String file, long size) {
    long complete = size / RECORD;
    return file + ": " + size + " bytes is not a multiple of the " + RECORD + "-byte CIFAR-10 record "
        + "(1 label byte + 3072 pixel bytes); the record at byte offset " + complete * RECORD
        + " is incomplete. Is the file truncated, or not from the binary version (cifar-10-binary.tar.gz)?";
  }
}
