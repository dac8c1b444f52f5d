package io.sparkvae.model.vae;

import io.sparkvae.model.Graphs;
import io.sparkvae.model.layers.KlDivergenceLoss;
import io.sparkvae.model.layers.ReparameterizationVertex;
import io.sparkvae.model.layers.ReparameterizationVertexImpl;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static factory of the convolutional VAE's DL4J graphs: the two-output training graph ("recon", "kl") and the
 * encoder / decoder graphs cut from a trained one, plus helpers to feed and steer it.
 */
public final class VaeGraphs {

    private static final Logger LOG = LoggerFactory.getLogger(VaeGraphs.class);

    /** Name of the image input of the training and encoder graphs. */
    public static final String INPUT_IMAGE = "image";
    /** Name of the reparameterisation vertex (training graph) and of the decoder graph's input. */
    public static final String Z = "z";
    /** Name of the [μ | log σ²] layer. */
    public static final String ENC_STATS = VaeLayers.ENC_STATS;
    /** Name of the reconstruction output layer. */
    public static final String RECON = VaeLayers.RECON;
    /** Name of the KL output layer. */
    public static final String KL = VaeLayers.KL;

    private VaeGraphs() {
    }

    /** The training configuration in FLOAT with Adam(spec.learningRate). */
    public static ComputationGraphConfiguration trainingConfig(VaeSpec spec) {
        return trainingConfig(spec, DataType.FLOAT);
    }

    /** The training configuration in the given data type with Adam(spec.learningRate). */
    public static ComputationGraphConfiguration trainingConfig(VaeSpec spec, DataType dataType) {
        return trainingConfig(spec, dataType, new Adam(spec.learningRate()));
    }

    /**
     * The training configuration: input "image" [N,C,H,W] in [0,1]; outputs "recon" (labels: the images) and
     * "kl" (labels: zeros [N, 2L], ignored). The updater is a parameter for gradient checks (NoOp).
     */
    public static ComputationGraphConfiguration trainingConfig(VaeSpec spec, DataType dataType, IUpdater updater) {
        GraphBuilder g = base(spec, dataType, updater).graphBuilder().addInputs(INPUT_IMAGE)
                .setInputTypes(InputType.convolutional(spec.height(), spec.width(), spec.channels()));
        String stats = VaeLayers.addEncoder(g, spec, INPUT_IMAGE);
        g.addVertex(Z, new ReparameterizationVertex(spec.logVarMin(), spec.logVarMax()), stats);
        VaeLayers.addDecoder(g, spec, Z);
        VaeLayers.addKl(g, spec, stats);
        return g.setOutputs(RECON, KL).build();
    }

    /** A new, initialised training graph (FLOAT, Adam). */
    public static ComputationGraph newTrainingGraph(VaeSpec spec) {
        ComputationGraph graph = new ComputationGraph(trainingConfig(spec));
        graph.init();
        LOG.info("Built VAE training graph: {} parameters, {}", graph.numParams(), spec);
        return graph;
    }

    /** Features [images]; labels [images, zeros(N, 2L)] in the images' data type. */
    public static MultiDataSet toMultiDataSet(INDArray images, VaeSpec spec) {
        checkImages(images, spec);
        INDArray zeros = Nd4j.zeros(images.dataType(), images.size(0), 2L * spec.latentDim());
        return new MultiDataSet(new INDArray[] {images}, new INDArray[] {images, zeros});
    }

    /**
     * Sets the KL weight (β × warm-up factor) both in the graph's configuration (what dl4j-spark broadcasts to
     * workers) and in the instantiated "kl" layer.
     */
    public static void setKlWeight(ComputationGraph graph, double weight) {
        GraphVertex v = graph.getConfiguration().getVertices().get(KL);
        klLoss(((LayerVertex) v).getLayerConf().getLayer()).setWeight(weight);
        klLoss(graph.getLayer(KL).conf().getLayer()).setWeight(weight);
    }

    /** The KL weight of the instantiated "kl" layer. */
    public static double getKlWeight(ComputationGraph graph) {
        return klLoss(graph.getLayer(KL).conf().getLayer()).getWeight();
    }

    /**
     * Freezes the reparameterisation noise of a training graph to a seed (non-null), or restores fresh noise per
     * forward pass (null), in both the configuration and the instantiated vertex. For gradient checks and
     * deterministic reconstructions; never set it for training.
     */
    public static void setNoiseSeed(ComputationGraph graph, Long seed) {
        ((ReparameterizationVertex) graph.getConfiguration().getVertices().get(Z)).setNoiseSeed(seed);
        ((ReparameterizationVertexImpl) graph.getVertex(Z)).setNoiseSeed(seed);
    }

    /**
     * An encoder graph: input "image" [N,C,H,W], single output "enc_stats" [N, 2L] = [μ | log σ²] (raw, i.e. log σ²
     * is NOT clamped: clamp with spec.logVarMin/Max before use). Parameters copied from {@code trained} by name.
     */
    public static ComputationGraph encoder(ComputationGraph trained, VaeSpec spec) {
        GraphBuilder g = base(spec, trained.getConfiguration().getDataType(), new Adam(spec.learningRate()))
                .graphBuilder().addInputs(INPUT_IMAGE)
                .setInputTypes(InputType.convolutional(spec.height(), spec.width(), spec.channels()));
        String stats = VaeLayers.addEncoder(g, spec, INPUT_IMAGE);
        return initAndCopy(g.setOutputs(stats).build(), trained);
    }

    /**
     * A decoder graph: input "z" [N, L], single output "recon" = images [N,C,H,W] in [0,1] (sigmoid applied: the
     * Bernoulli means / Gaussian means). Parameters copied from {@code trained} by name.
     */
    public static ComputationGraph decoder(ComputationGraph trained, VaeSpec spec) {
        GraphBuilder g = base(spec, trained.getConfiguration().getDataType(), new Adam(spec.learningRate()))
                .graphBuilder().addInputs(Z).setInputTypes(InputType.feedForward(spec.latentDim()));
        String recon = VaeLayers.addDecoder(g, spec, Z);
        return initAndCopy(g.setOutputs(recon).build(), trained);
    }

    private static NeuralNetConfiguration.Builder base(VaeSpec spec, DataType dataType, IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(spec.seed()).dataType(dataType).updater(updater);
    }

    private static ComputationGraph initAndCopy(ComputationGraphConfiguration conf, ComputationGraph trained) {
        return Graphs.initAndCopy(conf, trained);
    }

    private static KlDivergenceLoss klLoss(org.deeplearning4j.nn.conf.layers.Layer layerConf) {
        return (KlDivergenceLoss) ((org.deeplearning4j.nn.conf.layers.LossLayer) layerConf).getLossFn();
    }

    private static void checkImages(INDArray images, VaeSpec spec) {
        long[] s = images.shape();
        if (s.length != 4 || s[1] != spec.channels() || s[2] != spec.height() || s[3] != spec.width()) {
            throw new IllegalArgumentException("Images must be [N," + spec.channels() + "," + spec.height() + ","
                    + spec.width() + "], got " + java.util.Arrays.toString(s));
        }
    }
}
