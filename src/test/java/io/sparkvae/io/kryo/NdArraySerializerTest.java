package io.sparkvae.io.kryo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** ND4J arrays survive the bulk Kryo round trip whatever their type, shape, order or view-ness. */
class NdArraySerializerTest {
  private static INDArray roundTrip(INDArray array) {
    Kryo kryo = new Kryo();
    kryo.addDefaultSerializer(INDArray.class, new NdArraySerializer());
    Output out = new Output(1024, -1);
    kryo.writeClassAndObject(out, array);
    return (INDArray) kryo.readClassAndObject(new Input(out.toBytes()));
  }

  private static void assertSame(INDArray expected, INDArray actual) {
    assertEquals(expected.dataType(), actual.dataType());
    assertArrayEquals(expected.shape(), actual.shape());
    assertEquals(expected, actual);
  }

  @Test
  void everyDataTypeAndRankComesBackEqual() {
    List<INDArray> arrays = List.of(
        Nd4j.rand(DataType.FLOAT, 3, 4, 5),
        Nd4j.rand(DataType.DOUBLE, 7),
        Nd4j.linspace(DataType.INT, 1, 12, 1).reshape(3, 4),
        Nd4j.linspace(DataType.LONG, -5, 10, 1).reshape(2, 5),
        Nd4j.scalar(2.5f),
        // the size of the CelebA-shaped VAE's parameters and Adam state
        Nd4j.rand(DataType.FLOAT, 10_000_000));
    for (INDArray a : arrays) {
      assertSame(a, roundTrip(a));
    }
  }

  @Test
  void viewsAndFortranOrderAreWrittenAsTheirOwnValues() {
    INDArray base = Nd4j.rand(DataType.FLOAT, 6, 8);
    INDArray rows = base.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all());
    INDArray column = base.getColumn(3);
    INDArray fortran = base.dup('f');
    for (INDArray view : List.of(rows, column, fortran, base.transpose())) {
      INDArray back = roundTrip(view);
      assertSame(view, back);
      assertEquals('c', back.ordering());
    }
  }

  @Test
  void anEmptyArrayStaysEmpty() {
    INDArray back = roundTrip(Nd4j.empty(DataType.FLOAT));
    assertTrue(back.isEmpty());
    assertEquals(DataType.FLOAT, back.dataType());
  }

  @Test
  void theDataTravelsAsOneBlockOfRawBytes() {
    INDArray a = Nd4j.rand(DataType.FLOAT, 1000);
    Kryo kryo = new Kryo();
    kryo.addDefaultSerializer(INDArray.class, new NdArraySerializer());
    Output out = new Output(1024, -1);
    kryo.writeObject(out, a);
    // 4 bytes per float, plus the type name, rank, shape and length
    assertTrue(out.position() >= 4000 && out.position() < 4000 + 64, "serialised size " + out.position());
  }
}
