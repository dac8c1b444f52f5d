package io.sparkvae.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;

/** JSON round trips of graph configurations holding the custom vertex, losses and convolution layers. */
class LayersJsonTest {

    @Test
    void graphConfigSurvivesJsonRoundTrip() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .setInputTypes(InputType.feedForward(4))
                .addLayer("stats", new DenseLayer.Builder().nOut(6).build(), "in")
                .addVertex("z", new ReparameterizationVertex(-6, 4, 17L), "stats")
                .addLayer("dec", new DenseLayer.Builder().nOut(12).build(), "z")
                .inputPreProcessor("recon", new FeedForwardToCnnPreProcessor(2, 2, 3))
                .addLayer("recon", new CnnLossLayer.Builder(new GaussianLoss(0.25)).activation(Activation.SIGMOID)
                        .build(), "dec")
                .addLayer("kl", new LossLayer.Builder(new KlDivergenceLoss(0.3, -6, 4))
                        .activation(Activation.IDENTITY).build(), "stats")
                .setOutputs("recon", "kl").build();
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        assertEquals(new ReparameterizationVertex(-6, 4, 17L), back.getVertices().get("z"));
        LossLayer kl = (LossLayer) ((LayerVertex) back.getVertices().get("kl")).getLayerConf().getLayer();
        assertEquals(new KlDivergenceLoss(0.3, -6, 4), kl.getLossFn());
        CnnLossLayer recon = (CnnLossLayer) ((LayerVertex) back.getVertices().get("recon")).getLayerConf()
                .getLayer();
        assertEquals(new GaussianLoss(0.25), recon.getLossFn());
    }

    @Test
    void nativeConvolutionsKeepTheirClassThroughJson() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("conv", new NativeConv2D.Builder(4, 4).stride(2, 2).padding(1, 1).nOut(5).build(), "in")
                .addLayer("deconv", new NativeDeconv2D.Builder(4, 4).stride(2, 2).padding(1, 1).nOut(3).build(),
                        "conv")
                .addLayer("out", new CnnLossLayer.Builder(new GaussianLoss(0.5)).activation(Activation.SIGMOID)
                        .build(), "deconv")
                .setOutputs("out").build();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        // Lombok's equals treats a NativeConv2D and a stock ConvolutionLayer alike: check the classes themselves
        assertEquals(NativeConv2D.class, ((LayerVertex) back.getVertices().get("conv")).getLayerConf().getLayer()
                .getClass());
        assertEquals(NativeDeconv2D.class, ((LayerVertex) back.getVertices().get("deconv")).getLayerConf()
                .getLayer().getClass());
    }
}
