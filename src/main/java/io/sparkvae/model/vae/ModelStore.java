package io.sparkvae.model.vae;

import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import io.sparkvae.io.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
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
     * Writes the model zip to {@code path} (any Hadoop URI) atomically, replacing an existing file: readers never
     * see a half-written zip (see {@link HadoopFiles#writeAtomically}).
     */
    public static void save(ComputationGraph graph, VaeSpec spec, String path, Configuration hadoopConf) {
        save(toBytes(graph, spec), path, hadoopConf);
    }

    /** Writes a zip already made by {@link #toBytes} (e.g. the bytes also broadcast to executors). */
    public static void save(byte[] modelZip, String path, Configuration hadoopConf) {
        new HadoopFiles(hadoopConf).writeAtomically(path, modelZip);
        LOG.info("Saved model ({} bytes) to {}", modelZip.length, path);
    }

    /** Reads a zip written by {@link #save}: the training graph with its updater state, and its spec. */
    public static LoadedVae load(String path, Configuration hadoopConf) {
        byte[] bytes = new HadoopFiles(hadoopConf).readBytes(path);
        LOG.info("Loading model ({} bytes) from {}", bytes.length, path);
        return fromBytes(bytes);
    }

    /** The model zip (graph, updater state, spec: a VaeSpec, VqVaeSpec or PixelCnnSpec) as bytes. */
    public static byte[] toBytes(ComputationGraph graph, Serializable spec) {
        File tmp = null;
        try {
            tmp = File.createTempFile("spark-vae-model", ".zip");
            ModelSerializer.writeModel(graph, tmp, true);
            ModelSerializer.addObjectToFile(tmp, SPEC_KEY, spec);
            return Files.readAllBytes(tmp.toPath());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not serialise the model", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Restores graph (with updater state) and spec from {@link #toBytes} output; fails unless it is a VAE. */
    public static LoadedVae fromBytes(byte[] bytes) {
        return fromBytes(bytes, true);
    }

    /** As {@link #fromBytes(byte[])}; without the updater state if {@code loadUpdater} is false (inference only). */
    public static LoadedVae fromBytes(byte[] bytes, boolean loadUpdater) {
        Stored stored = fromBytesAny(bytes, loadUpdater);
        if (!(stored.spec() instanceof VaeSpec spec)) {
            throw new UncheckedIOException(new IOException("the model zip holds a "
                    + stored.spec().getClass().getSimpleName() + ", not a VAE"));
        }
        return new LoadedVae(stored.graph(), spec);
    }

    /** A graph with the spec stored beside it, whatever the model family. */
    public record Stored(ComputationGraph graph, Object spec) {
    }

    /** Restores graph (with updater state) and whatever spec {@link #toBytes} stored. */
    public static Stored fromBytesAny(byte[] bytes) {
        return fromBytesAny(bytes, true);
    }

    /**
     * As {@link #fromBytesAny(byte[])}; skips restoring the updater state (Adam's moments, twice the parameters) if
     * {@code loadUpdater} is false, for graphs that only run inference, such as the sampling job's.
     */
    public static Stored fromBytesAny(byte[] bytes, boolean loadUpdater) {
        File tmp = null;
        try {
            tmp = File.createTempFile("spark-vae-model", ".zip");
            Files.write(tmp.toPath(), bytes);
            ComputationGraph graph = ModelSerializer.restoreComputationGraph(tmp, loadUpdater);
            Object spec = ModelSerializer.getObjectFromFile(tmp, SPEC_KEY);
            if (spec == null) {
                throw new IOException("Model zip holds no spec under key " + SPEC_KEY);
            }
            return new Stored(graph, spec);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not restore the model", e);
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
