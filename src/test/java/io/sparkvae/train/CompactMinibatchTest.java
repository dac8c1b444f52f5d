package io.sparkvae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.model.vae.Likelihood;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import io.sparkvae.data.SplitAssigner;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The minibatches of an epoch travel and are cached as their images' bytes, and build the same arrays the eager
 * path built (same shuffle, same cut) only when asked.
 */
class CompactMinibatchTest {
  private static final VaeSpec SPEC =
      new VaeSpec(8, 8, 3, new int[] {4, 8}, 3, Likelihood.GAUSSIAN, 0.1, 1.0, -6, 6, 1e-2, 7L);

  private static List<byte[]> images(int n) {
    Random r = new Random(3);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[8 * 8 * 3];
      r.nextBytes(b);
      out.add(b);
    }
    return out;
  }

  @Test
  void buildsTheSameArraysAsTheEagerCutAndSerialisesAsBytes() throws Exception {
    List<byte[]> imgs = images(50);
    Iterator<MultiDataSet> it = new MinibatchFunction(SPEC, 16, 99L).call(1, imgs.iterator());
    // what the eager path made: shuffle by (seed, partition), cut into 16s, arrays at once
    List<byte[]> shuffled = new ArrayList<>(imgs);
    Collections.shuffle(shuffled, new Random(SplitAssigner.mix64(99L, 1)));
    int from = 0;
    int count = 0;
    while (it.hasNext()) {
      MultiDataSet m = it.next();
      assertInstanceOf(CompactMinibatch.class, m);
      List<byte[]> chunk = shuffled.subList(from, Math.min(shuffled.size(), from + 16));
      from += chunk.size();
      assertEquals(chunk.size(), ((CompactMinibatch<?>) m).size());
      MultiDataSet eager = VaeGraphs.toMultiDataSet(ImageTensors.toBatch(chunk, 8, 8, 3), SPEC);

      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(m);
      }
      // the images' bytes and the recipe, not 4-byte floats of features and labels
      assertTrue(bytes.size() < chunk.size() * 8 * 8 * 3 + 4096, "serialised size " + bytes.size());
      MultiDataSet back;
      try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        back = (MultiDataSet) in.readObject();
      }
      for (MultiDataSet x : List.of(m, back)) {
        assertEquals(eager.getFeatures(0), x.getFeatures(0));
        assertEquals(eager.numLabelsArrays(), x.numLabelsArrays());
        for (int i = 0; i < eager.numLabelsArrays(); i++) {
          assertEquals(eager.getLabels(i), x.getLabels(i));
        }
      }
      count++;
    }
    assertEquals(50, from);
    assertEquals(4, count);
  }
}
