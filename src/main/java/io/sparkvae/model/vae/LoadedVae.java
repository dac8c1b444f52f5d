package io.sparkvae.model.vae;

import java.util.Objects;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A VAE training graph restored from storage together with the spec it was built from.
 *
 * @param graph the training graph (outputs "recon", "kl"), with updater state
 * @param spec  the spec stored beside it
 */
public record LoadedVae(ComputationGraph graph, VaeSpec spec) {

    /** Requires both parts. */
    public LoadedVae {
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(spec, "spec");
    }
}
