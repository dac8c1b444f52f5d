package io.sparkvae.model.vae;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves and loads a VAE (DL4J ModelSerializer zip with updater state, plus the {@link VaeSpec} stored inside the zip)
 * through the Hadoop FileSystem API, and to / from bytes for broadcasting.
 */
public final class ModelStore {

    private static final Logger LOG = LoggerFactory.getLogger(ModelStore.class);

    /** Key of the VaeSpec object inside the zip (see ModelSerializer.addObjectToFile). */
    public static final String SPEC_KEY = "vae-spec";

    private ModelStore() {
    }

    /**
     * Writes the model zip to {@code path} (any Hadoop URI): first to {@code path + ".tmp-<uuid>"}, then renamed onto
     * {@code path}, replacing an existing file. Readers never see a half-written zip; between the delete of an
     * old target and the rename there is a short window with no file.
     */
    public static void save(ComputationGraph graph, VaeSpec spec, String path, Configuration hadoopConf)
            throws IOException {
        byte[] bytes = toBytes(graph, spec);
        Path target = new Path(path);
        FileSystem fs = target.getFileSystem(hadoopConf);
        Path tmp = new Path(path + ".tmp-" + UUID.randomUUID());
        try {
            try (OutputStream out = fs.create(tmp, true)) {
                out.write(bytes);
            }
            if (fs.exists(target) && !fs.delete(target, false)) {
                throw new IOException("Could not replace existing model " + target);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("Could not rename " + tmp + " to " + target);
            }
        } finally {
            if (fs.exists(tmp)) {
                fs.delete(tmp, false);
            }
        }
        LOG.info("Saved VAE model ({} bytes) to {}", bytes.length, target);
    }

    /** Reads a zip written by {@link #save}: the training graph with its updater state, and its spec. */
    public static LoadedVae load(String path, Configuration hadoopConf) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(hadoopConf);
        byte[] bytes;
        try (InputStream in = fs.open(p)) {
            bytes = in.readAllBytes();
        }
        LOG.info("Loading VAE model ({} bytes) from {}", bytes.length, p);
        return fromBytes(bytes);
    }

    /** The model zip (graph, updater state, spec) as bytes. */
    public static byte[] toBytes(ComputationGraph graph, VaeSpec spec) {
        File tmp = null;
        try {
            tmp = File.createTempFile("spark-vae-model", ".zip");
            ModelSerializer.writeModel(graph, tmp, true);
            ModelSerializer.addObjectToFile(tmp, SPEC_KEY, spec);
            return Files.readAllBytes(tmp.toPath());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not serialise the VAE model", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Restores graph (with updater state) and spec from {@link #toBytes} output. */
    public static LoadedVae fromBytes(byte[] bytes) {
        File tmp = null;
        try {
            tmp = File.createTempFile("spark-vae-model", ".zip");
            Files.write(tmp.toPath(), bytes);
            ComputationGraph graph = ModelSerializer.restoreComputationGraph(tmp, true);
            Object spec = ModelSerializer.getObjectFromFile(tmp, SPEC_KEY);
            if (!(spec instanceof VaeSpec)) {
                throw new IOException("Model zip holds no VaeSpec under key " + SPEC_KEY);
            }
            return new LoadedVae(graph, (VaeSpec) spec);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not restore the VAE model", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static void deleteQuietly(File f) {
        if (f != null && !f.delete() && f.exists()) {
            LOG.warn("Could not delete temporary file {}", f);
        }
    }
}
