package io.sparkvae.io.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.ByteBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kryo serialiser for ND4J arrays that copies the data in bulk: data type, shape, then the c-order bytes in one
 * block.
 *
 * <p>Why: ND4J's own serialisation (Java {@code writeObject}, and {@code Nd4j.write} that nd4j-kryo's registrator
 * uses) writes and reads an array element by element. dl4j-spark's parameter averaging sends the parameters and
 * the Adam state three times per round (the broadcast, each worker's result, the driver reading them), so that
 * element loop was most of a round's overhead.
 *
 * <p>The block holds the array's bytes in the machine's order; the project ships linux-x86_64 natives only, so
 * driver and executors are all little-endian.
 */
public final class NdArraySerializer extends Serializer<INDArray> {
  private static final int EMPTY = -1;

  public NdArraySerializer() {
    setAcceptsNull(false);
  }

  @Override
  public void write(Kryo kryo, Output output, INDArray array) {
    DataType type = array.dataType();
    output.writeString(type.name());
    if (array.isEmpty()) {
      output.writeInt(EMPTY);
      return;
    }
    long[] shape = array.shape();
    output.writeInt(shape.length);
    for (long s : shape) {
      output.writeLong(s);
    }
    byte[] block = rawBytes(array);
    output.writeInt(block.length);
    output.writeBytes(block);
  }

  @Override
  public INDArray read(Kryo kryo, Input input, Class<INDArray> type) {
    DataType dataType = DataType.valueOf(input.readString());
    int rank = input.readInt();
    if (rank == EMPTY) {
      try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        return Nd4j.empty(dataType);
      }
    }
    long[] shape = new long[rank];
    for (int i = 0; i < rank; i++) {
      shape[i] = input.readLong();
    }
    return fromRawBytes(dataType, shape, input.readBytes(input.readInt())); // outside any workspace too
  }

  /** The array's values in c order as the machine's bytes, copied in one block (a view is copied first). */
  public static byte[] rawBytes(INDArray array) {
    INDArray dense = array.isView() || array.ordering() != 'c' || array.data().offset() != 0
        ? array.dup('c') : array;
    long bytes = dense.length() * dense.dataType().width();
    if (bytes > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("array of " + bytes + " bytes is too large to copy in one block");
    }
    byte[] block = new byte[(int) bytes];
    rawBytesInto(dense, block, 0);
    return block;
  }

  /** A dense c-order array's values as the machine's bytes, copied into {@code to} from {@code offset}. */
  public static void rawBytesInto(INDArray dense, byte[] to, int offset) {
    ByteBuffer data = dense.data().asNio();
    data.position((int) (dense.data().offset() * dense.dataType().width()));
    data.get(to, offset, (int) (dense.length() * dense.dataType().width()));
  }

  /** Overwrites a dense c-order array's values with raw values as {@link #rawBytes} writes them. */
  public static void setRawBytes(INDArray dense, ByteBuffer values) {
    long bytes = dense.length() * dense.dataType().width();
    if (values.remaining() != bytes) {
      throw new IllegalStateException("expected " + bytes + " bytes of " + dense.dataType() + ", got "
          + values.remaining());
    }
    ByteBuffer data = dense.data().asNio();
    data.position((int) (dense.data().offset() * dense.dataType().width()));
    data.put(values);
  }

  /** A new c-order array, outside any workspace, from {@link #rawBytes}. */
  public static INDArray fromRawBytes(DataType dataType, long[] shape, byte[] block) {
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      INDArray array = Nd4j.createUninitialized(dataType, shape, 'c');
      if ((long) block.length != array.length() * dataType.width()) {
        throw new IllegalArgumentException("expected " + array.length() * dataType.width() + " bytes for "
            + dataType + " " + java.util.Arrays.toString(shape) + ", got " + block.length);
      }
      ByteBuffer data = array.data().asNio();
      data.position(0);
      data.put(block);
      return array;
    }
  }
}
