package io.sparkvae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.io.kryo.NdArraySerializer;
import io.sparkvae.model.vae.Likelihood;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A decoder shipped as GraphBytes (through Java serialisation, as a broadcast) decodes exactly as the original. */
class GraphBytesTest {
  private static final VaeSpec SPEC =
      new VaeSpec(8, 8, 3, new int[] {4, 8}, 3, Likelihood.GAUSSIAN, 0.1, 1.0, -6, 6, 1e-2, 7L);

  @Test
  void aRestoredDecoderGivesIdenticalOutputs() throws Exception {
    ComputationGraph trained = VaeGraphs.newTrainingGraph(SPEC);
    trained.fit(VaeGraphs.toMultiDataSet(Nd4j.rand(DataType.FLOAT, 4, 3, 8, 8), SPEC));
    ComputationGraph decoder = VaeGraphs.decoder(trained, SPEC);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(GraphBytes.of(decoder));
    }
    GraphBytes shipped;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      shipped = (GraphBytes) in.readObject();
    }
    ComputationGraph restored = shipped.restore();
    INDArray z = Nd4j.randn(DataType.FLOAT, 5, SPEC.latentDim());
    assertEquals(decoder.params(), restored.params());
    assertEquals(decoder.outputSingle(false, z), restored.outputSingle(false, z));
  }

  @Test
  void rawBytesOfTheWrongLengthAreRefusedWithTheExpectedSize() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NdArraySerializer.fromRawBytes(DataType.FLOAT, new long[] {2, 3}, new byte[20]));
    assertTrue(e.getMessage().contains("expected 24 bytes"), e.getMessage());
  }
}
