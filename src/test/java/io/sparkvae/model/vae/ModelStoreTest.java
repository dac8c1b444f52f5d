package io.sparkvae.model.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/** Tests of {@link ModelStore}: save/load through a file:// Hadoop path and the byte form are exact. */
class ModelStoreTest {

    private static ComputationGraph trained(VaeSpec spec) {
        ComputationGraph g = VaeGraphs.newTrainingGraph(spec);
        MultiDataSet mds = VaeGraphs.toMultiDataSet(TinyVae.images(DataType.FLOAT, 4, 9), spec);
        g.fit(mds);
        g.fit(mds);
        VaeGraphs.setKlWeight(g, 0.4);
        return g;
    }

    private static void assertSameModel(ComputationGraph expected, VaeSpec spec, LoadedVae loaded) {
        assertEquals(spec, loaded.spec());
        ComputationGraph g = loaded.graph();
        assertEquals(expected.getConfiguration(), g.getConfiguration());
        assertEquals(expected.params(), g.params());
        assertEquals(expected.getUpdater().getStateViewArray(), g.getUpdater().getStateViewArray());
        assertEquals(0.4, VaeGraphs.getKlWeight(g));
        INDArray images = TinyVae.images(DataType.FLOAT, 3, 10);
        VaeGraphs.setNoiseSeed(expected, 8L);
        VaeGraphs.setNoiseSeed(g, 8L);
        INDArray[] a = expected.output(images);
        INDArray[] b = g.output(images);
        assertEquals(a[0], b[0]);
        assertEquals(a[1], b[1]);
        VaeGraphs.setNoiseSeed(expected, null);
    }

    @Test
    void saveLoadThroughHadoopFileSystemIsExact(@TempDir Path dir) throws Exception {
        VaeSpec spec = TinyVae.spec(Likelihood.GAUSSIAN);
        ComputationGraph g = trained(spec);
        String path = dir.resolve("model.zip").toUri().toString();
        assertTrue(path.startsWith("file:"));
        Configuration conf = new Configuration();
        ModelStore.save(g, spec, path, conf);
        ModelStore.save(g, spec, path, conf); // overwrites
        String[] files = dir.toFile().list((d, n) -> !n.startsWith("."));
        assertEquals(1, files.length, String.join(",", files));
        assertTrue(new File(dir.toFile(), "model.zip").length() > 0);
        assertSameModel(g, spec, ModelStore.load(path, conf));
    }

    @Test
    void bytesRoundTripIsExact() {
        VaeSpec spec = TinyVae.spec(Likelihood.BERNOULLI);
        ComputationGraph g = trained(spec);
        assertSameModel(g, spec, ModelStore.fromBytes(ModelStore.toBytes(g, spec)));
    }
}
