package io.sparkvae.model.vae;

import io.sparkvae.model.layers.FastLeakyReLU;
import io.sparkvae.model.layers.GaussianLoss;
import io.sparkvae.model.layers.KlDivergenceLoss;
import io.sparkvae.model.layers.NativeConv2D;
import io.sparkvae.model.layers.NativeDeconv2D;
import io.sparkvae.model.layers.NativeDense;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;

/** Package-private builder of the VAE's encoder, decoder and loss layers, shared by the graphs of {@link VaeGraphs}. */
final class VaeLayers {

    static final String ENC_STATS = "enc_stats";
    static final String DEC_DENSE = "dec_dense";
    static final String RECON = "recon";
    static final String KL = "kl";
    static final double LEAKY_SLOPE = 0.2;

    private VaeLayers() {
    }

    static String encConv(int i) {
        return "enc_conv" + i;
    }

    static String decDeconv(int i) {
        return "dec_deconv" + i;
    }

    /** Adds enc_conv0.. and enc_stats after {@code input}; returns "enc_stats". */
    static String addEncoder(GraphBuilder g, VaeSpec spec, String input) {
        String prev = input;
        int[] widths = spec.encoderChannels();
        for (int i = 0; i < widths.length; i++) {
            g.addLayer(encConv(i), new NativeConv2D.Builder(4, 4).stride(2, 2).padding(1, 1)
                    .convolutionMode(ConvolutionMode.Truncate).nOut(widths[i])
                    .activation(new FastLeakyReLU(LEAKY_SLOPE)).weightInit(WeightInit.RELU).build(), prev);
            prev = encConv(i);
        }
        g.addLayer(ENC_STATS, new NativeDense.Builder().nOut(2L * spec.latentDim()).activation(Activation.IDENTITY)
                .weightInit(WeightInit.XAVIER).build(), prev);
        return ENC_STATS;
    }

    /** Adds dec_dense, dec_deconv0.. and recon after {@code z}; returns "recon". */
    static String addDecoder(GraphBuilder g, VaeSpec spec, String z) {
        int[] widths = spec.encoderChannels();
        int n = widths.length;
        int h0 = spec.bottleneckHeight();
        int w0 = spec.bottleneckWidth();
        int c0 = spec.bottleneckChannels();
        g.addLayer(DEC_DENSE, new NativeDense.Builder().nOut((long) c0 * h0 * w0)
                .activation(new FastLeakyReLU(LEAKY_SLOPE)).weightInit(WeightInit.RELU).build(), z);
        g.inputPreProcessor(decDeconv(0), new FeedForwardToCnnPreProcessor(h0, w0, c0));
        String prev = DEC_DENSE;
        for (int i = 0; i < n; i++) {
            boolean last = i == n - 1;
            int nOut = last ? spec.channels() : widths[n - 2 - i];
            Deconvolution2D.Builder b = new NativeDeconv2D.Builder(4, 4).stride(2, 2).padding(1, 1)
                    .convolutionMode(ConvolutionMode.Truncate).nOut(nOut);
            if (last) {
                b.activation(Activation.IDENTITY).weightInit(WeightInit.XAVIER);
            } else {
                b.activation(new FastLeakyReLU(LEAKY_SLOPE)).weightInit(WeightInit.RELU);
            }
            g.addLayer(decDeconv(i), b.build(), prev);
            prev = decDeconv(i);
        }
        g.addLayer(RECON, new CnnLossLayer.Builder(reconstructionLoss(spec)).activation(Activation.SIGMOID).build(),
                prev);
        return RECON;
    }

    /** Adds the KL loss layer on {@code stats}; returns "kl". */
    static String addKl(GraphBuilder g, VaeSpec spec, String stats) {
        g.addLayer(KL, new LossLayer.Builder(new KlDivergenceLoss(spec.beta(), spec.logVarMin(), spec.logVarMax()))
                .activation(Activation.IDENTITY).build(), stats);
        return KL;
    }

    static ILossFunction reconstructionLoss(VaeSpec spec) {
        return switch (spec.likelihood()) {
            case GAUSSIAN -> new GaussianLoss(spec.gaussianSigma());
            case BERNOULLI -> new LossBinaryXENT();
        };
    }
}
