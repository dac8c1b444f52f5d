package io.sparkvae.model.vqvae;

import io.sparkvae.model.Graphs;
import io.sparkvae.model.layers.CopyingActivationLayer;
import io.sparkvae.model.layers.GaussianLoss;
import io.sparkvae.model.layers.NativeConv2D;
import io.sparkvae.model.layers.NativeDeconv2D;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static factory of the VQ-VAE's DL4J graphs (van den Oord et al. 2017, as in DESIGN §3): the training graph
 * image → encoder → z_e → vector quantiser → z_q → decoder → "recon", and the encoder (image → z_e) and decoder
 * (z_q → image) graphs cut from a trained one. All convolutions are the project's native oneDNN layers.
 *
 * <p>Encoder: 4×4 stride-2 convolutions (hidden/2, then hidden channels, ReLU), a 3×3 convolution, two residual
 * blocks (ReLU, 3×3 to residual channels, ReLU, 1×1 back, added to the input), ReLU, and a 1×1 convolution to D.
 * Decoder: a 3×3 convolution from D, two residual blocks, ReLU, then 4×4 stride-2 transposed convolutions back to
 * the image, sigmoid, with the Gaussian reconstruction loss of the VAE.
 */
public final class VqVaeGraphs {

    private static final Logger LOG = LoggerFactory.getLogger(VqVaeGraphs.class);

    /** The image input of the training and encoder graphs. */
    public static final String INPUT_IMAGE = "image";
    /** The encoder's last 1×1 convolution: z_e, [N, D, h, w]. */
    public static final String Z_E = "enc_out";
    /** The vector-quantisation layer: z_q. Also the decoder graph's input name. */
    public static final String VQ = "vq";
    /** The reconstruction output layer. */
    public static final String RECON = "recon";

    private VqVaeGraphs() {
    }

    /** The training configuration in FLOAT with Adam. */
    public static ComputationGraphConfiguration trainingConfig(VqVaeSpec spec) {
        return trainingConfig(spec, DataType.FLOAT, new Adam(spec.learningRate()));
    }

    /** The training configuration: input "image" [N,C,H,W] in [0,1]; output "recon" (labels: the images). */
    public static ComputationGraphConfiguration trainingConfig(VqVaeSpec spec, DataType dataType,
            IUpdater updater) {
        GraphBuilder g = base(spec, dataType, updater).graphBuilder().addInputs(INPUT_IMAGE)
                .setInputTypes(InputType.convolutional(spec.height(), spec.width(), spec.channels()));
        String ze = addEncoder(g, spec, INPUT_IMAGE);
        g.addLayer(VQ, quantizer(spec), ze);
        addDecoder(g, spec, VQ);
        return g.setOutputs(RECON).build();
    }

    /** A new, initialised training graph (FLOAT, Adam). */
    public static ComputationGraph newTrainingGraph(VqVaeSpec spec) {
        ComputationGraph graph = new ComputationGraph(trainingConfig(spec));
        graph.init();
        LOG.info("Built VQ-VAE training graph: {} parameters, {}", graph.numParams(), spec);
        return graph;
    }

    /** An encoder graph: input "image", output z_e [N, D, h, w]; parameters copied from {@code trained}. */
    public static ComputationGraph encoder(ComputationGraph trained, VqVaeSpec spec) {
        GraphBuilder g = base(spec, trained.getConfiguration().getDataType(), new Adam(spec.learningRate()))
                .graphBuilder().addInputs(INPUT_IMAGE)
                .setInputTypes(InputType.convolutional(spec.height(), spec.width(), spec.channels()));
        return Graphs.initAndCopy(g.setOutputs(addEncoder(g, spec, INPUT_IMAGE)).build(), trained);
    }

    /**
     * A decoder graph: input z_q [N, D, h, w] (codebook rows, e.g. looked up from sampled codes), output images
     * [N,C,H,W] in [0,1]; parameters copied from {@code trained}.
     */
    public static ComputationGraph decoder(ComputationGraph trained, VqVaeSpec spec) {
        GraphBuilder g = base(spec, trained.getConfiguration().getDataType(), new Adam(spec.learningRate()))
                .graphBuilder().addInputs(VQ)
                .setInputTypes(InputType.convolutional(spec.codeHeight(), spec.codeWidth(), spec.embeddingDim()));
        return Graphs.initAndCopy(g.setOutputs(addDecoder(g, spec, VQ)).build(), trained);
    }

    /** Features [images]; labels [images]. */
    public static MultiDataSet toMultiDataSet(INDArray images) {
        return new MultiDataSet(new INDArray[] {images}, new INDArray[] {images});
    }

    private static NeuralNetConfiguration.Builder base(VqVaeSpec spec, DataType dataType, IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(spec.seed()).dataType(dataType).updater(updater)
                .weightInit(WeightInit.RELU);
    }

    private static String addEncoder(GraphBuilder g, VqVaeSpec spec, String input) {
        String prev = input;
        for (int i = 0; i < spec.downsamplings(); i++) {
            int nOut = i == spec.downsamplings() - 1 ? spec.hiddenChannels() : Math.max(1, spec.hiddenChannels() / 2);
            prev = conv(g, "enc_down" + i, 4, 2, nOut, Activation.RELU, prev);
        }
        prev = conv(g, "enc_conv3", 3, 1, spec.hiddenChannels(), Activation.IDENTITY, prev);
        prev = residualStack(g, "enc", spec, prev);
        return conv(g, Z_E, 1, 1, spec.embeddingDim(), Activation.IDENTITY, prev);
    }

    private static String addDecoder(GraphBuilder g, VqVaeSpec spec, String zq) {
        String prev = conv(g, "dec_conv3", 3, 1, spec.hiddenChannels(), Activation.IDENTITY, zq);
        prev = residualStack(g, "dec", spec, prev);
        for (int i = 0; i < spec.downsamplings(); i++) {
            boolean last = i == spec.downsamplings() - 1;
            String name = "dec_up" + i;
            g.addLayer(name, new NativeDeconv2D.Builder(4, 4).stride(2, 2).padding(1, 1)
                    .convolutionMode(ConvolutionMode.Truncate)
                    .nOut(last ? spec.channels() : Math.max(1, spec.hiddenChannels() / 2))
                    .activation(last ? Activation.IDENTITY : Activation.RELU)
                    .weightInit(last ? WeightInit.XAVIER : WeightInit.RELU).build(), prev);
            prev = name;
        }
        g.addLayer(RECON, new CnnLossLayer.Builder(new GaussianLoss(spec.gaussianSigma()))
                .activation(Activation.SIGMOID).build(), prev);
        return RECON;
    }

    /**
     * Two residual blocks x + conv1x1(ReLU(conv3x3(ReLU(x)))), then a ReLU. The ReLUs copy their input: DL4J's
     * ActivationLayer applies its activation in place at inference, which would turn the skip connection's x
     * into ReLU(x) outside training only.
     */
    private static String residualStack(GraphBuilder g, String prefix, VqVaeSpec spec, String input) {
        String prev = input;
        for (int b = 0; b < VqVaeSpec.RESIDUAL_BLOCKS; b++) {
            String p = prefix + "_res" + b;
            g.addLayer(p + "_relu", new CopyingActivationLayer(Activation.RELU), prev);
            conv(g, p + "_conv3", 3, 1, spec.residualChannels(), Activation.RELU, p + "_relu");
            conv(g, p + "_conv1", 1, 1, spec.hiddenChannels(), Activation.IDENTITY, p + "_conv3");
            g.addVertex(p + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), prev, p + "_conv1");
            prev = p + "_add";
        }
        g.addLayer(prefix + "_stack_relu", new CopyingActivationLayer(Activation.RELU), prev);
        return prefix + "_stack_relu";
    }

    private static String conv(GraphBuilder g, String name, int kernel, int stride, int nOut, Activation act,
            String input) {
        int pad = stride == 2 ? 1 : (kernel - 1) / 2;
        g.addLayer(name, new NativeConv2D.Builder(kernel, kernel).stride(stride, stride).padding(pad, pad)
                .convolutionMode(ConvolutionMode.Truncate).nOut(nOut).activation(act)
                .weightInit(act == Activation.RELU ? WeightInit.RELU : WeightInit.XAVIER).build(), input);
        return name;
    }

    private static Layer quantizer(VqVaeSpec spec) {
        return new VectorQuantizer.Builder(spec.codebookSize()).codeDim(spec.embeddingDim())
                .beta(spec.commitmentBeta()).ema(spec.ema()).emaDecay(spec.emaDecay()).emaEpsilon(spec.emaEpsilon())
                .build();
    }
}
