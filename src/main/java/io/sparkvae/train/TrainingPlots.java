package io.sparkvae.train;

import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.images.ContactSheet;
import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.io.images.LinePlot;
import io.sparkvae.model.vae.LatentMixture;
import io.sparkvae.model.vae.LoadedVae;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.sample.LatentSampler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Writes the training pictures: loss curves, val reconstructions and samples from the prior(s). */
public final class TrainingPlots {
  private final HadoopFiles files;
  private final String dir;

  public TrainingPlots(HadoopFiles files, String plotsDir) {
    this.files = files;
    this.dir = plotsDir;
  }

  public void curves(List<EpochMetrics> history) {
    Map<String, double[][]> losses = new LinkedHashMap<>();
    losses.put("train loss (last averaging round, KL weighted)", series(history, EpochMetrics::trainLoss));
    losses.put("val -ELBO", series(history, EpochMetrics::valNegElbo));
    losses.put("val reconstruction NLL", series(history, EpochMetrics::valReconNll));
    losses.put("val KL", series(history, EpochMetrics::valKl));
    files.writeAtomically(dir + "/loss.png",
        LinePlot.png("Loss per image", "epoch", "nats per image", losses, 800, 500));
    Map<String, double[][]> psnr = new LinkedHashMap<>();
    psnr.put("val PSNR", series(history, EpochMetrics::valPsnr));
    files.writeAtomically(dir + "/psnr.png",
        LinePlot.png("Validation reconstruction PSNR", "epoch", "dB", psnr, 800, 500));
  }

  /** Val images beside their posterior-mean reconstructions: {@code reconstructions.png}. */
  public void reconstructions(LoadedVae vae, List<byte[]> images, long seed) {
    reconstructions(vae, images, seed, "reconstructions.png");
  }

  /** Images beside their posterior-mean reconstructions, as the file {@code name} of the plots directory. */
  public void reconstructions(LoadedVae vae, List<byte[]> images, long seed, String name) {
    ImageShape s = shape(vae);
    INDArray x = ImageTensors.toBatch(images, s.height(), s.width(), s.channels());
    INDArray recon = new VaeEvaluator(vae, seed).reconstruct(x);
    files.writeAtomically(dir + "/" + name, ContactSheet.pairsPng(images,
        ImageTensors.toHwcBytes(recon), s.height(), s.width(), s.channels(), 8, scale(s)));
  }

  /** 64 images decoded from z ~ N(0, I): {@code prior-samples.png}. */
  public void priorSamples(LoadedVae vae, long seed) {
    samples(vae, new LatentSampler(seed, vae.spec().latentDim(), 1.0), "prior-samples.png");
  }

  /** 64 images decoded from z drawn from the fitted mixture: {@code mixture-samples.png}. */
  public void mixtureSamples(LoadedVae vae, LatentMixture mixture, long seed) {
    samples(vae, new LatentSampler(seed, vae.spec().latentDim(), 1.0, mixture), "mixture-samples.png");
  }

  private void samples(LoadedVae vae, LatentSampler sampler, String name) {
    ImageShape s = shape(vae);
    INDArray z = sampler.latents(0, 64);
    INDArray images = VaeGraphs.decoder(vae.graph(), vae.spec()).outputSingle(false, z);
    files.writeAtomically(dir + "/" + name, ContactSheet.gridPng(
        ImageTensors.toHwcBytes(images), s.height(), s.width(), s.channels(), 8, scale(s), 2));
  }

  private static ImageShape shape(LoadedVae vae) {
    return new ImageShape(vae.spec().height(), vae.spec().width(), vae.spec().channels());
  }

  private static int scale(ImageShape s) {
    return Math.max(1, 96 / s.height());
  }

  private static double[][] series(List<EpochMetrics> h, ToDoubleFunction<EpochMetrics> f) {
    double[][] xy = new double[2][h.size()];
    for (int i = 0; i < h.size(); i++) {
      xy[0][i] = h.get(i).epoch();
      xy[1][i] = f.applyAsDouble(h.get(i));
    }
    return xy;
  }
}
